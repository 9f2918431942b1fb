"""Several data centers: geoDNS, an outage moving traffic, data syncing across centers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from architect.sim.commands import CommandError, FailDataCenter, RestoreDataCenter
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.problems import TopologyError
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "two-data-centers.yaml"


def _data(**changes: object) -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text())
    data.update(changes)
    return data


def _simulation(*, geo_routing: bool = True) -> Simulation:
    data = _data()
    data["nodes"][0]["geo_routing"] = geo_routing
    return Simulation(load_topology(data), seed=4)


def _mean_latency(sim: Simulation, seconds: float) -> float:
    sim.window.reset_cumulative()
    sim.advance(seconds)
    return sim.window.cumulative.latency.mean()


def _served_by(sim: Simulation, prefix: str, seconds: float) -> float:
    lb = sim.stations[f"{prefix}-lb"]
    done = lb.completed
    sim.advance(seconds)
    return (lb.completed - done) / seconds


def test_geo_dns_sends_each_region_to_its_own_center():
    sim = _simulation()
    sim.advance(5)
    assert _served_by(sim, "us", 20) == pytest.approx(300, rel=0.1)
    assert _served_by(sim, "asia", 20) == pytest.approx(300, rel=0.1)
    assert _mean_latency(sim, 20) < 60  # nobody crosses an ocean


def test_without_geo_dns_far_users_pay_the_cross_region_delay():
    """Half the users cross 80 ms each way: the mean rises by about 80 ms."""
    near = _mean_latency(_simulation(), 30)
    far = _mean_latency(_simulation(geo_routing=False), 30)
    assert far - near == pytest.approx(0.5 * 2 * 80, rel=0.15)


def test_a_center_outage_moves_its_users_to_the_other_center():
    sim = _simulation()
    sim.advance(10)
    before = _mean_latency(sim, 10)
    sim.apply(FailDataCenter("asia"))
    sim.advance(2)
    sim.window.reset_cumulative()
    after = _mean_latency(sim, 20)
    measured = sim.window.cumulative
    assert measured.failed == 0
    assert after - before == pytest.approx(0.5 * 2 * 80, rel=0.3)
    assert _served_by(sim, "us", 10) == pytest.approx(600, rel=0.1)
    sim.apply(RestoreDataCenter("asia"))
    assert _served_by(sim, "asia", 10) == pytest.approx(300, rel=0.15)


def test_without_geo_dns_an_outage_of_the_first_center_takes_the_site_down():
    sim = _simulation(geo_routing=False)
    sim.apply(FailDataCenter("us-east"))
    assert sim.advance(3).error_rate == 1.0
    assert [e.node for e in sim.snapshot().events if e.kind == EventKind.SITE_DOWN] == ["us-lb"]


def test_the_site_is_down_only_when_no_center_is_left():
    """With geoDNS one center's outage is no site outage: the log says so only for the last."""
    sim = _simulation()
    sim.apply(FailDataCenter("us-east"))
    assert not [e for e in sim.snapshot().events if e.kind == EventKind.SITE_DOWN]
    assert sim.advance(3).error_rate < 0.05
    sim.apply(FailDataCenter("asia"))
    assert [e.node for e in sim.snapshot().events if e.kind == EventKind.SITE_DOWN] == ["asia-lb"]
    assert sim.advance(3).error_rate == 1.0


def test_a_center_fails_only_when_up_and_is_restored_only_when_down():
    """Each refusal names the center and what it already is; a refused command changes nothing."""
    sim = _simulation()
    refused = {}
    for command in (RestoreDataCenter("asia"), FailDataCenter("asia"), FailDataCenter("asia"),
                    FailDataCenter("mars"), RestoreDataCenter("")):  # fmt: skip
        try:
            sim.apply(command)
        except CommandError as error:
            refused[type(command).__name__, command.center] = (error.code, str(error), error.params)
    assert refused == {
        ("RestoreDataCenter", "asia"): (
            "center_up",
            'data center "asia" is already up',
            {"center": "asia"},
        ),
        ("FailDataCenter", "asia"): (
            "center_down",
            'data center "asia" is already down',
            {"center": "asia"},
        ),
        ("FailDataCenter", "mars"): (
            "unknown_center",
            'there is no data center "mars"',
            {"center": "mars"},
        ),
        ("RestoreDataCenter", ""): ("unknown_center", 'there is no data center ""', {"center": ""}),
    }
    failed = [e.text for e in sim.snapshot().events if e.kind == EventKind.CENTER_FAILED]
    assert failed == ["asia"]
    assert not [e for e in sim.snapshot().events if e.kind == EventKind.CENTER_RESTORED]


def test_writes_reach_the_other_center_after_the_sync_delay():
    """A hot key written in one center and read in the other within 1 s is stale."""
    sim = _simulation()
    assert sim.advance(20).stale_reads > 0
    data = _data(network={"latency_ms": 0.5, "cross_region_ms": 80, "dc_sync_ms": 0})
    assert Simulation(load_topology(data), seed=4).advance(20).stale_reads == 0


def test_two_center_files_round_trip_and_are_validated():
    topology = load_topology(_data())
    assert load_topology(dump_topology(topology)) == topology
    crossing = _data()
    crossing["links"].append(["us-web-1", "asia-db"])
    with pytest.raises(TopologyError, match="crosses data centers"):
        load_topology(crossing)
    unplaced = _data()
    del unplaced["nodes"][4]["dc"]
    with pytest.raises(TopologyError, match="give every node a data center"):
        load_topology(unplaced)
