"""Opening data centers from the sandbox: a copy per region, geoDNS, outages, sync."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from architect.sim.commands import (
    AddCache,
    AddDataCenter,
    AddLoadBalancer,
    AddReplica,
    AddShard,
    AddWebServer,
    CommandError,
    FailDataCenter,
    RemoveWebServer,
    RestoreDataCenter,
    SeparateDatabase,
)
from architect.sim.model import presets
from architect.sim.model.topology import Network, Topology, Traffic
from architect.sim.model.validate import validate
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind, NodeKind


def _site(rps: float = 400, regions: dict[str, float] | None = None, **network: Any) -> Simulation:
    """The chapter's site before data centers: a load balancer, two web servers, a database."""
    topology = presets.single_server(rps)
    traffic = replace(topology.traffic, regions=tuple((regions or {}).items()), users=0)
    topology = replace(topology, traffic=traffic, network=Network(**network))
    sim = Simulation(topology, seed=3)
    for command in (AddLoadBalancer(), SeparateDatabase(), AddWebServer()):
        sim.apply(command)
    return sim


def _served(sim: Simulation, lb: str, seconds: float) -> float:
    before = sim.stations[lb].completed
    sim.advance(seconds)
    return (sim.stations[lb].completed - before) / seconds


def _mean_ms(sim: Simulation, seconds: float) -> float:
    sim.window.reset_cumulative()
    sim.advance(seconds)
    return sim.window.cumulative.latency.mean()


def _as_topology(sim: Simulation) -> Topology:
    return Topology(
        "now",
        tuple(sim.specs.values()),
        tuple(sim.links),
        sim.traffic,
        sim.network,
        sharding=sim.sharding,
    )


def test_a_new_center_is_a_copy_in_its_region_and_the_first_is_named():
    sim = _site()
    sim.apply(AddDataCenter("", "asia"))
    assert sim.centers == ["us-east", "asia"]
    asia = {i: s.kind for i, s in sim.specs.items() if s.dc == "asia"}
    assert asia == {
        "asia-lb": NodeKind.LOAD_BALANCER,
        "asia-web-1": NodeKind.WEB_SERVER,
        "asia-web-2": NodeKind.WEB_SERVER,
        "asia-db": NodeKind.DATABASE,
    }
    assert sim.specs["web-1"].dc == "us-east" and sim.specs["dns"].geo_routing
    assert ("dns", "asia-lb") in sim.links and ("asia-web-1", "asia-db") in sim.links
    assert validate(_as_topology(sim)) == []  # the format's rules hold: no link crosses centers
    assert sim.log[-1].kind == EventKind.CENTER_ADDED and sim.log[-1].text == "asia"


def test_users_are_split_by_region():
    sim = _site(rps=400)
    sim.apply(AddDataCenter("", "asia"))
    sim.advance(3)
    assert dict(sim.traffic.regions) == {"us-east": 1.0, "asia": 1.0}
    assert _served(sim, "lb", 30) == pytest.approx(200, rel=0.06)
    assert _served(sim, "asia-lb", 30) == pytest.approx(200, rel=0.06)
    sim.apply(AddDataCenter("asia", "europe"))
    sim.advance(3)
    assert "europe-web-2" in sim.specs
    for lb in ("lb", "asia-lb", "europe-lb"):
        assert _served(sim, lb, 30) == pytest.approx(400 / 3, rel=0.08)


def test_an_outage_moves_its_users_across_a_region_paying_the_delay_both_ways():
    """Every user is in asia: served there, then by us-east with 2 × cross_region_ms more."""
    cross_ms = 80.0
    sim = _site(rps=200, regions={"asia": 1.0}, cross_region_ms=cross_ms)
    sim.apply(AddDataCenter("", "asia"))
    sim.advance(5)
    near = _mean_ms(sim, 60)
    assert sim.window.cumulative.failed == 0
    sim.apply(FailDataCenter("asia"))
    sim.advance(1)
    far = _mean_ms(sim, 60)
    assert sim.window.cumulative.failed == 0
    assert far - near == pytest.approx(2 * cross_ms, abs=0.05 * 2 * cross_ms)
    assert _served(sim, "lb", 10) == pytest.approx(200, rel=0.1)
    sim.apply(RestoreDataCenter("asia"))
    assert _mean_ms(sim, 30) == pytest.approx(near, abs=0.05 * 2 * cross_ms)


def _stale_reads(sync_ms: float) -> int:
    sim = _site(rps=400, dc_sync_ms=sync_ms)
    sim.apply(AddDataCenter("", "asia"))
    return sim.advance(20).stale_reads


def test_writes_reach_the_other_center_after_the_sync_delay():
    """Reads of a key written in the other center less than dc_sync_ms ago are stale."""
    sim = _site(dc_sync_ms=250)
    sim.apply(AddDataCenter("", "asia"))
    assert sim.sync is not None and sim.sync.sync_s == 0.25
    assert _stale_reads(0) == 0
    assert 0 < _stale_reads(50) < _stale_reads(1000)


def test_architecture_commands_change_every_center_and_named_nodes_their_own():
    sim = _site()
    sim.apply(AddDataCenter("", "asia"))
    sim.apply(AddWebServer())
    sim.apply(AddCache())
    sim.apply(AddReplica())
    sim.apply(AddShard("consistent_hash"))
    for node in (
        "web-3",
        "asia-web-3",
        "cache",
        "asia-cache",
        "db-r1",
        "asia-db-r1",
        "db-s1",
        "asia-db-s1",
    ):
        assert node in sim.specs
    assert sim.specs["asia-cache"].dc == "asia" and ("asia-web-3", "asia-cache") in sim.links
    sim.apply(RemoveWebServer("asia-web-1"))
    assert "web-1" in sim.specs and "asia-web-1" not in sim.specs
    assert validate(_as_topology(sim)) == []
    assert sim.advance(5).error_rate == 0.0


def test_removing_the_newest_web_server_everywhere_keeps_one_in_each_center():
    sim = _site()
    sim.apply(AddDataCenter("", "asia"))
    sim.apply(RemoveWebServer("asia-web-2"))
    with pytest.raises(CommandError) as refused:
        sim.apply(RemoveWebServer())
    assert refused.value.code == "last_web_server"
    assert "web-2" in sim.specs  # nothing changed in the first center either


@pytest.mark.parametrize(
    ("setup", "command", "code"),
    [
        ((), AddDataCenter("", "asia"), "center_needs_load_balancer"),
        ((AddLoadBalancer(),), AddDataCenter("", "asia"), "center_needs_database"),
        ((AddLoadBalancer(), SeparateDatabase()), AddDataCenter("", "mars"), "unknown_region"),
        ((AddLoadBalancer(), SeparateDatabase()), AddDataCenter("", "us-east"), "center_exists"),
        (
            (AddLoadBalancer(), SeparateDatabase()),
            AddDataCenter("europe", "asia"),
            "unknown_center",
        ),
    ],
)
def test_a_center_is_refused_clearly_and_nothing_changes(setup, command, code):
    sim = Simulation(presets.single_server(100), seed=1)
    for step in setup:
        sim.apply(step)
    specs, links = dict(sim.specs), list(sim.links)
    with pytest.raises(CommandError) as refused:
        sim.apply(command)
    assert refused.value.code == code
    assert sim.specs == specs and sim.links == links and sim.centers == [""]


def test_at_most_three_centers():
    sim = _site()
    sim.apply(AddDataCenter("", "asia"))
    sim.apply(AddDataCenter("", "europe"))
    with pytest.raises(CommandError) as refused:
        sim.apply(AddDataCenter("", "asia"))
    assert refused.value.code == "too_many_centers"
    assert len(sim.centers) == 3


def test_a_one_center_site_is_unchanged_by_the_focus():
    """Without data centers, ids and behaviour stay as before."""
    sim = _site(rps=100, regions=None)
    sim.apply(AddCache())
    assert {"lb", "web-1", "web-2", "db", "cache"} <= set(sim.specs)
    assert all(spec.dc == "" for spec in sim.specs.values())
    assert Traffic().regions == sim.traffic.regions
