"""Snapshots go through plain JSON and come back equal, whatever the simulation showed."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from architect.sim.actions import parse_action
from architect.sim.commands import CommandError
from architect.sim.loader import load_topology
from architect.sim.model import presets
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind, NodeStatus, Snapshot
from architect.sim.snapshot_data import SnapshotDataError, snapshot_from_data, snapshot_to_data

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.*"))
ONE_CENTER = [p for p in EXAMPLES if "two-data-centers" not in p.name]
# Changes a run may go through before its snapshot is taken (refused ones are skipped).
ACTIONS: list[dict[str, Any]] = [
    {"action": "add_load_balancer"},
    {"action": "separate_database"},
    {"action": "add_web_server"},
    {"action": "add_cache"},
    {"action": "add_replica"},
    {"action": "add_cdn"},
    {"action": "add_message_queue"},
    {"action": "add_session_store"},
    {"action": "add_shard", "strategy": "modulo"},
    {"action": "fail", "node": "web-1"},
    {"action": "fail", "node": "db"},
    {"action": "restore", "node": "web-1"},
    {"action": "set_traffic", "rps": 30_000},
    {"action": "set_traffic_mix", "read_ratio": 0.5, "zipf_s": 1.5},
    {"action": "add_data_center", "region": "asia"},
    {"action": "fail_data_center", "center": "asia"},
    {"action": "set_operations", "monitoring": True, "automation": False},
]


def through_json(s: Snapshot) -> Snapshot:
    return snapshot_from_data(json.loads(json.dumps(snapshot_to_data(s), allow_nan=False)))


def load(path: Path) -> Any:
    return load_topology(yaml.safe_load(path.read_text()))


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    """A real snapshot: a topology, a seed, a mode, some changes, some simulated time."""
    source: Path | None = draw(st.sampled_from([None, *EXAMPLES]))
    topology = presets.single_server() if source is None else load(source)
    aggregate = source in ONE_CENTER and draw(st.booleans())
    sim = Simulation(
        topology, seed=draw(st.integers(1, 3)), mode="aggregate" if aggregate else "auto"
    )
    for action in draw(st.lists(st.sampled_from(ACTIONS), max_size=6)):
        sim.advance(draw(st.sampled_from([0.1, 0.3, 1.0])))
        with contextlib.suppress(CommandError):  # refused in this architecture: skipped
            sim.apply(parse_action(action, "a"))
    return sim.advance(draw(st.sampled_from([0.2, 1.0, 2.5])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_every_snapshot_comes_back_equal_through_json(s):
    back = through_json(s)
    assert back == s
    assert snapshot_to_data(back) == snapshot_to_data(s)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_snapshots_come_back_equal(path):
    """Every kind of value a snapshot holds: jobs, hit ratios, events, centers, settings."""
    sim = Simulation(load(path), seed=2)
    sim.advance(3.0)
    s = sim.advance(0.2)
    assert through_json(s) == s


def test_aggregate_mode_and_two_centers_come_back_equal():
    aggregate = Simulation(load(ONE_CENTER[0]), mode="aggregate").advance(1.0)
    assert aggregate.mode == "aggregate" and through_json(aggregate) == aggregate
    two = Simulation(load(next(p for p in EXAMPLES if "two-data-centers" in p.name)))
    two.apply(parse_action({"action": "fail_data_center", "center": "asia"}, "a"))
    s = two.advance(1.0)
    assert len(s.centers) == 2 and through_json(s) == s


def test_the_data_is_plain_and_readable():
    s = Simulation(presets.single_server(rps=50)).advance(1.0)
    data = snapshot_to_data(s)
    node = data["nodes"][1]
    assert node["id"] == "web-1" and node["kind"] == "web_server" and node["status"] == "up"
    assert node["actions"] == sorted(node["actions"]) and "fail" in node["actions"]
    assert data["settings"]["read_ratio"] == 0.8
    assert isinstance(data["links"], list) and data["links"][0] == ["dns", "web-1"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["nodes"][1].update(status="broken"), "nodes[1].status"),
        (lambda d: d["nodes"][0].pop("id"), "nodes[0]"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d.update(t="soon"), "t"),
        (lambda d: d["links"].append(["a"]), "links[1]"),
        (lambda d: d["settings"].update(users=1.5), "settings.users"),
        (lambda d: d.update(nodes={}), "nodes"),
    ],
)
def test_data_that_is_no_snapshot_is_refused_with_its_path(change, path):
    data = snapshot_to_data(Simulation(presets.single_server(rps=50)).advance(0.5))
    change(data)
    with pytest.raises(SnapshotDataError) as raised:
        snapshot_from_data(data)
    assert raised.value.path == path


def test_enums_come_back_as_enums():
    s = through_json(Simulation(presets.single_server(rps=50)).advance(0.5))
    assert s.nodes[0].kind is NodeKind.DNS and s.nodes[0].status is NodeStatus.UP
