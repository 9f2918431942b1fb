"""Every example in docs/examples loads, validates and runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from architect.sim.loader import load_topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.*"))


def _read(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_there_are_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_loads_and_serves_its_traffic(path: Path):
    topology = load_topology(_read(path))
    snapshot = Simulation(topology, seed=3).advance(10)
    assert snapshot.error_rate == 0
    assert snapshot.throughput_rps == pytest.approx(topology.traffic.rps, rel=0.25)


def test_the_failure_drill_fails_requests_only_until_the_health_check():
    """web-1 fails at 30 s; the balancer, checking every 4 s from a random phase, drops it
    at its next check, less than 4 s later.

    Round robin sends web-1 half the requests, so about half fail in each whole second
    between; before the failure, after the check, through the restore at 45 s and the
    spike to 600 rps at 60 s (within two servers' 800 rps), none do.
    """
    path = next(p for p in EXAMPLES if p.name == "failure-drill.yaml")
    sim = Simulation(load_topology(_read(path)), seed=1)
    seconds = {t: sim.advance(1).series[-1] for t in range(1, 81)}
    (removed,) = [e for e in sim.log if e.kind == EventKind.BACKEND_REMOVED]
    assert 30 < removed.t < 34
    failing = {t for t, point in seconds.items() if point.error_rate > 0}
    assert failing == set(range(31, math.ceil(removed.t) + 1))
    for t in failing:
        if t <= removed.t:  # a whole second before the check
            assert seconds[t].error_rate == pytest.approx(0.5, abs=0.1)
    assert sim.snapshot().offered_rps == 600
    assert sum(seconds[t].throughput_rps for t in range(71, 81)) / 10 == pytest.approx(600, rel=0.1)
