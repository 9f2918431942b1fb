"""Every example in docs/examples loads, validates and runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from architect.sim.engine import Simulation
from architect.sim.loader import load_topology

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
