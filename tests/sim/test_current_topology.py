"""current_topology: the architecture as it is now, dumped and loaded, builds the same simulation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from architect.sim import commands as c
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model import presets
from architect.sim.simulation import Simulation

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.*"))


def _read(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _architecture(sim: Simulation) -> dict[str, Any]:
    """What a rebuilt simulation must share with the live one."""
    return {
        "specs": list(sim.specs.items()),
        "links": list(sim.links),
        "rps": sim.rps,
        "traffic": replace(sim.traffic, rps=0.0),
        "network": sim.network,
        "operations": sim.operations,
        "sharding": sim.sharding,
        "autoscaling": sim.autoscaling,
        "workers": {i: s.workers for i, s in sim.stations.items()},
        "balancing": {i: b.algorithm for i, b in sim.balancers.items()},
        "backends": {i: [s.id for s in b.backends] for i, b in sim.balancers.items()},
        "entries": {center: s.id for center, s in sim.entries.items()},
        "primaries": [t.primary.id for t in sim.data.tiers] if sim.data else [],
    }


def _rebuilt(sim: Simulation) -> Simulation:
    return Simulation(load_topology(dump_topology(sim.current_topology())), seed=2)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_an_example_comes_back_as_it_was(path: Path):
    topology = load_topology(_read(path))
    sim = Simulation(topology, seed=1)
    sim.advance(2)
    assert sim.current_topology() == replace(topology, events=())
    assert _architecture(_rebuilt(sim)) == _architecture(sim)


def test_the_architecture_after_many_changes_comes_back_the_same():
    sim = Simulation(presets.single_server(), seed=1)
    for command in (
        c.SeparateDatabase(),
        c.AddLoadBalancer(),
        c.AddWebServer(),
        c.AddWebServer(),
        c.AddCache(),
        c.AddReplica(),
        c.AddCdn(),
        c.AddShard("modulo"),
        c.AddMessageQueue(),
        c.AddSessionStore(),
        c.ResizeNode("web-1", "xl"),
        c.ResizeNode("db", "l"),
        c.SetBalancing("least_connections"),
        c.SetAutoscaling(True, 3, 8, 0.5),
        c.SetOperations(True, True),
        c.SetTraffic(450.0),
        c.SetTrafficMix(read_ratio=0.7, static_ratio=0.2, zipf_s=1.4),
        c.SetWorkers("workers", 12),
        c.RemoveWebServer("web-2"),
    ):
        sim.apply(command)
        sim.advance(0.5)
    sim.apply(c.FailNode("db"))  # the replica is promoted failover_s later
    sim.advance(12)
    live = _architecture(sim)
    assert live["primaries"] == ["db-r1", "db-s1"]
    assert live["rps"] == 450.0 and live["balancing"] == {"lb": "least_connections"}
    assert sim.current_topology().events == ()
    assert _architecture(_rebuilt(sim)) == live


def test_the_rebuilt_simulation_serves_like_the_live_one():
    """Same architecture, same seed: the same measures from a fresh start."""
    sim = Simulation(presets.single_server(), seed=1)
    for command in (
        c.SeparateDatabase(),
        c.AddLoadBalancer(),
        c.AddWebServer(),
        c.SetTraffic(300.0),
    ):
        sim.apply(command)
    first = Simulation(load_topology(dump_topology(sim.current_topology())), seed=4).advance(5)
    again = Simulation(load_topology(dump_topology(sim.current_topology())), seed=4).advance(5)
    assert first == again
    assert first.throughput_rps == pytest.approx(300, rel=0.2)
    assert first.error_rate == 0
