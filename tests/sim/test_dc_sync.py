"""How writes reach the other data centers (``set_sync``), checked against arithmetic:
an asynchronous copy is ``dc_sync_ms`` late, so a center that goes dark takes its last
``lag`` of writes with it; a synchronous one is never late but waits the round trip."""

from __future__ import annotations

from typing import Any

import pytest

from architect.sim import commands as c
from architect.sim.commands import CommandError
from architect.sim.engine.geo import CrossCenterSync
from architect.sim.loader import load_topology
from architect.sim.model import presets
from architect.sim.simulation import Simulation


def test_async_writes_still_on_their_way_are_lost_with_their_center():
    sync = CrossCenterSync(1.0, "async")
    for key, at in ((1, 0.0), (2, 0.5), (3, 0.9)):
        assert sync.wrote(key, "us-east", at) == 0.0
    sync.wrote(4, "asia", 0.6)
    sync.read(2, "asia", 0.8)  # written 0.3 s ago elsewhere: stale
    sync.read(1, "asia", 1.1)  # arrived at 1.0
    assert sync.stale_reads == 1
    assert sync.center_failed("us-east", 1.2) == 2  # written at 0.5 and 0.9: due at 1.5, 1.9
    assert sync.lost_writes == 2
    sync.read(3, "asia", 30.0)  # never arrives: stale until written again
    sync.read(1, "asia", 30.0)
    assert sync.stale_reads == 2
    sync.wrote(3, "asia", 31.0)
    sync.read(3, "asia", 31.5)
    assert sync.stale_reads == 2


def test_without_copies_a_center_takes_every_write_made_in_it():
    sync = CrossCenterSync(1.0, "none")
    for at in range(5):
        sync.wrote(at, "us-east", float(at))
    sync.wrote(9, "asia", 0.0)
    sync.read(0, "asia", 100.0)  # written long ago in us-east, never copied
    assert sync.stale_reads == 1
    assert sync.center_failed("us-east", 6.0) == 5


def test_sync_writes_wait_the_round_trip_while_another_center_is_up():
    up = {"asia": True}
    sync = CrossCenterSync(1.0, "sync", round_trip_ms=160.0, peer_up=lambda center: up["asia"])
    assert sync.wrote(1, "us-east", 0.0) == 160.0
    sync.read(1, "asia", 0.0)
    up["asia"] = False
    assert sync.wrote(2, "us-east", 1.0) == 0.0  # nobody to wait for
    assert sync.center_failed("us-east", 1.0) == 0
    assert sync.stale_reads == sync.lost_writes == 0


def _two_centers(mode: str, read_ratio: float = 0.8) -> Simulation:
    center: list[dict[str, Any]] = [
        {"id": "lb", "kind": "load_balancer", "workers": 64, "service_ms": 0.2},
        {"id": "web-1", "kind": "web_server", "size": "m", "service_ms": 20},
        {"id": "web-2", "kind": "web_server", "size": "m", "service_ms": 20},
        {"id": "db", "kind": "database", "size": "m", "service_ms": 5},
    ]
    links = [["lb", "web-1"], ["lb", "web-2"], ["web-1", "db"], ["web-2", "db"]]

    def named(dc: str, node_id: str) -> str:
        return node_id if dc == "us-east" else f"{dc}-{node_id}"

    nodes = [{"id": "dns", "kind": "dns", "geo_routing": True}]
    edges = []
    for dc in ("us-east", "asia"):
        nodes += [{**n, "id": named(dc, n["id"]), "dc": dc} for n in center]
        edges += [[named(dc, a), named(dc, b)] for a, b in links] + [["dns", named(dc, "lb")]]
    topology = load_topology(
        {
            "version": 1,
            "name": "two centers",
            "traffic": {
                "rps": 600,
                "read_ratio": read_ratio,
                "regions": {"us-east": 0.5, "asia": 0.5},
            },
            "network": {"cross_region_ms": 80, "dc_sync_ms": 1000, "dc_sync": mode},
            "nodes": nodes,
            "links": edges,
        }
    )
    return Simulation(topology, seed=1)


def test_a_synchronous_write_is_slower_by_the_round_trip_between_centers():
    """Only writes, at a light load: the mean latency grows by 2 × 80 ms."""
    asynchronous = _two_centers("async", read_ratio=0.0).advance(10.0)
    synchronous = _two_centers("sync", read_ratio=0.0).advance(10.0)
    assert asynchronous.latency is not None and synchronous.latency is not None
    gap = synchronous.latency.mean_ms - asynchronous.latency.mean_ms
    assert gap == pytest.approx(160.0, abs=10.0)  # the queues' noise, well under 10 ms


def test_a_center_going_dark_loses_about_one_lag_of_its_writes():
    """us-east makes 300 × 20 % = 60 writes a second; 1 s of them are on their way
    (Poisson: 60, one standard deviation ≈ 8)."""
    sim = _two_centers("async")
    sim.advance(5.0)
    sim.apply(c.FailDataCenter("us-east"))
    lost = sim.advance(1.0).series[-1].lost_writes
    assert 30 <= lost <= 90
    sim = _two_centers("none")
    sim.advance(5.0)
    sim.apply(c.FailDataCenter("us-east"))
    assert 200 <= sim.advance(1.0).series[-1].lost_writes <= 400  # 5 s of them: ≈ 300


def test_set_sync_changes_the_mode_and_refuses_an_unknown_one():
    sim = _two_centers("none")
    sim.apply(c.SetSync("sync"))
    assert sim.snapshot().settings.dc_sync == "sync"
    with pytest.raises(CommandError) as caught:
        sim.apply(c.SetSync("eventually"))
    assert caught.value.code == "unknown_sync"
    with pytest.raises(CommandError) as caught:
        Simulation(presets.single_server(10), seed=1).apply(c.SetSync("sync"))
    assert caught.value.code == "one_center"
