"""Headless reports: repeatable, long-run measures that agree with queueing theory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from architect.sim.loader import load_topology
from architect.sim.model.topology import Topology
from architect.sim.report import run_report

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def _example(name: str) -> Topology:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return load_topology(json.loads(text) if name.endswith(".json") else yaml.safe_load(text))


def _report(name: str, seed: int = 1, duration_s: float = 20.0) -> dict[str, Any]:
    return run_report(_example(name), duration_s=duration_s, warmup_s=5.0, seed=seed).to_dict()


def test_same_seed_same_report():
    """Runs are deterministic per seed, down to the serialised JSON."""
    first, second = _report("cached-and-replicated.yaml"), _report("cached-and-replicated.yaml")
    assert first == second
    assert json.dumps(first) == json.dumps(second)


def test_another_seed_another_report():
    """A different seed draws different arrivals, so the measures differ."""
    assert _report("load-balanced.yaml", seed=1) != _report("load-balanced.yaml", seed=2)


def test_the_report_has_every_part():
    """Summary, a line per node, hit ratios, events and one series point per second."""
    report = _report("cached-and-replicated.yaml", duration_s=12.5)
    summary = report["summary"]
    assert summary["availability"] == pytest.approx(1 - summary["error_rate"])
    assert set(summary["latency_ms"]) == {"mean", "p50", "p95", "p99"}
    assert summary["cost_per_month"] > 0
    assert list(report["nodes"]) == ["dns", "cdn", "lb", "web-1", "web-2", "cache", "db", "db-r1"]
    assert 0 < report["cache"]["hit_ratio"] < 1 and 0 < report["cache"]["cdn_hit_ratio"] < 1
    assert [p["t"] for p in report["series"]] == [*range(6, 18), 17.5]
    assert report["events"] == []


def test_mm1_mean_latency_and_utilisation_match_theory():
    """M/M/1 with lambda 70/s, mu 100/s: W = 1/(mu - lambda) = 33.3 ms, utilisation 0.7."""
    report = run_report(_example("mm1.json"), duration_s=1500.0, warmup_s=20.0, seed=7).to_dict()
    assert report["summary"]["latency_ms"]["mean"] == pytest.approx(1000 / 30, rel=0.05)
    web = report["nodes"]["web-1"]
    assert web["utilization"] == pytest.approx(0.7, rel=0.05)
    assert web["latency_ms"]["mean"] == pytest.approx(1000 / 30, rel=0.05)
    # Waiting only: Lq = rho^2 / (1 - rho) = 1.633.
    assert web["mean_queue"] == pytest.approx(0.49 / 0.3, rel=0.1)


@pytest.mark.parametrize("name", ["load-balanced.yaml", "cached-and-replicated.yaml"])
def test_littles_law_on_every_node(name: str):
    """L = lambda W per node: waiting (sampled) + in service (busy time) = rate x time there."""
    report = _report(name, duration_s=60.0)
    for node_id, node in report["nodes"].items():
        if node["kind"] == "dns":
            continue
        in_node = node["mean_queue"] + node["utilization"] * node["workers"]
        flow = node["throughput_rps"] * node["latency_ms"]["mean"] / 1000
        assert in_node == pytest.approx(flow, rel=0.03), node_id


@pytest.mark.parametrize(
    ("duration_s", "warmup_s"), [(0, 10), (-1, 10), (3601, 10), (60, -1), (60, 3601)]
)
def test_limits_raise(duration_s: float, warmup_s: float):
    """Duration is above 0 and at most an hour; warm-up between 0 and an hour."""
    with pytest.raises(ValueError, match="seconds"):
        run_report(_example("mm1.json"), duration_s=duration_s, warmup_s=warmup_s, seed=1)


def test_a_node_added_during_the_span_is_reported_from_then_on():
    """load-balanced.yaml, a third web server added at 15 s of a 5-25 s span (issue #9.2:
    this was ``KeyError: 'web-3'``). Round robin gives it a third of the 600 req/s for the
    10 s it is there: 100 req/s over the 20 s span."""
    data = yaml.safe_load((EXAMPLES / "load-balanced.yaml").read_text(encoding="utf-8"))
    data["events"] = [{"at": 15, "action": "add_web_server"}]
    report = run_report(load_topology(data), duration_s=20.0, warmup_s=5.0, seed=1).to_dict()
    web_3 = report["nodes"]["web-3"]
    assert web_3["added_s"] == 15.0
    assert web_3["throughput_rps"] == pytest.approx(600 / 3 * 10 / 20, rel=0.1)
    assert web_3["latency_ms"]["mean"] > 0
    assert "added_s" not in report["nodes"]["web-1"]
