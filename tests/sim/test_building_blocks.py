"""Cache, CDN and database replication inside a running simulation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.commands import (
    AddCache,
    AddCdn,
    AddLoadBalancer,
    AddReplica,
    AddWebServer,
    CommandError,
    FailNode,
    PurgeCdn,
    RestoreNode,
    SeparateDatabase,
    SetTrafficMix,
    VersionAssets,
)
from architect.sim.model import presets
from architect.sim.model.topology import Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind


def _scaled_out(
    rps: float, *, read_ratio: float = 0.8, static_ratio: float = 0.2, seed: int = 1
) -> Simulation:
    """Two web servers behind a load balancer with a database server of their own."""
    topology = presets.single_server(rps)
    topology = replace(
        topology, traffic=Traffic(rps=rps, read_ratio=read_ratio, static_ratio=static_ratio)
    )
    sim = Simulation(topology, seed=seed)
    for command in (SeparateDatabase(), AddWebServer(), AddLoadBalancer()):
        sim.apply(command)
    return sim


def _rates(sim: Simulation, seconds: float) -> dict[str, float]:
    """Requests each node finished per second over the next ``seconds`` (long-run, not the panel)."""
    before = {node_id: station.completed for node_id, station in sim.stations.items()}
    sim.advance(seconds)
    return {
        node_id: (sim.stations[node_id].completed - done) / seconds
        for node_id, done in before.items()
    }


def _hit_ratio(sim: Simulation, node_id: str, seconds: float) -> float:
    """Hits ÷ lookups of a cache or CDN over the next ``seconds``."""
    store = sim.stores[node_id]
    hits, misses = store.hits, store.misses
    sim.advance(seconds)
    new_hits = store.hits - hits
    return new_hits / (new_hits + store.misses - misses)


def test_without_a_cache_every_dynamic_request_reaches_the_database():
    """Static assets end at the web server; reads and writes go on to the database."""
    sim = _scaled_out(400)
    assert _rates(sim, 20)["db"] == pytest.approx(400 * 0.8, rel=0.05)


def test_a_cache_absorbs_reads_in_proportion_to_its_hit_ratio():
    """Read-through: the database sees writes plus the reads the cache missed."""
    sim = _scaled_out(400)
    sim.apply(AddCache())
    sim.advance(30)  # warm up
    store = sim.stores["cache"]
    hits, misses = store.hits, store.misses
    rates = _rates(sim, 20)
    hit = (store.hits - hits) / (store.hits - hits + store.misses - misses)
    assert 0.3 < hit < 0.95
    dynamic = 400 * 0.8
    assert rates["cache"] == pytest.approx(dynamic * 0.8, rel=0.05)
    assert rates["db"] == pytest.approx(dynamic * 0.2 + dynamic * 0.8 * (1 - hit), rel=0.05)


def test_writes_invalidate_so_a_write_heavy_mix_hits_less():
    """Each write drops its key from the cache: more writes, fewer hits."""
    ratios = []
    for read_ratio in (0.99, 0.5):
        sim = _scaled_out(300, read_ratio=read_ratio, static_ratio=0, seed=4)
        sim.apply(AddCache())
        sim.advance(30)
        ratios.append(_hit_ratio(sim, "cache", 10))
    assert ratios[0] > ratios[1] + 0.05


def test_when_the_cache_fails_its_reads_fall_on_the_database_and_it_comes_back_cold():
    sim = _scaled_out(400)
    sim.apply(AddCache())
    sim.advance(30)
    cached = _rates(sim, 10)["db"]
    sim.apply(FailNode("cache"))
    assert _rates(sim, 10)["db"] == pytest.approx(400 * 0.8, rel=0.05)
    assert sim.snapshot().error_rate == 0  # reads still served, by the database
    assert 1.5 * cached < 400 * 0.8
    sim.apply(RestoreNode("cache"))
    assert len(sim.stores["cache"]) == 0
    cold = _hit_ratio(sim, "cache", 2)
    assert cold < _hit_ratio(sim, "cache", 10)  # it warms up again


def test_a_cache_needs_a_database_to_read_through_to():
    sim = Simulation(presets.single_server(100))
    with pytest.raises(CommandError) as caught:
        sim.apply(AddCache())
    assert caught.value.code == "needs_database"


def test_the_cdn_serves_static_assets_at_the_edge_and_falls_back_to_the_origin():
    sim = _scaled_out(500)
    sim.apply(AddCdn())
    sim.advance(30)
    store = sim.stores["cdn"]
    hits, misses = store.hits, store.misses
    rates = _rates(sim, 20)
    hit = (store.hits - hits) / (store.hits - hits + store.misses - misses)
    assert hit > 0.5
    static = 500 * 0.2
    assert rates["cdn"] == pytest.approx(static, rel=0.05)
    assert rates["web-1"] + rates["web-2"] == pytest.approx(
        500 * 0.8 + static * (1 - hit), rel=0.05
    )
    sim.apply(FailNode("cdn"))
    down = _rates(sim, 10)
    assert sim.snapshot().error_rate == 0
    assert down["web-1"] + down["web-2"] == pytest.approx(500, rel=0.05)


def test_purging_or_versioning_assets_sends_the_next_requests_to_the_origin():
    for action in (PurgeCdn(), VersionAssets()):
        sim = _scaled_out(500)
        sim.apply(AddCdn())
        sim.advance(30)
        warm = _hit_ratio(sim, "cdn", 5)
        sim.apply(action)
        assert _hit_ratio(sim, "cdn", 0.5) < warm - 0.3
    kinds = [event.kind for event in sim.snapshot().events]
    assert EventKind.ASSETS_VERSIONED in kinds


def test_reads_go_to_replicas_and_writes_to_the_primary():
    sim = _scaled_out(400, read_ratio=0.75, static_ratio=0)
    sim.apply(AddReplica())
    sim.apply(AddReplica())
    rates = _rates(sim, 20)
    assert rates["db"] == pytest.approx(100, rel=0.08)  # the writes
    assert rates["db-r1"] == pytest.approx(150, rel=0.08)
    assert rates["db-r2"] == pytest.approx(150, rel=0.08)
    assert sim.snapshot().node("db-r1").role == "replica"


def test_reads_of_keys_written_within_the_lag_are_stale():
    """Hot keys are written and read often: some reads beat replication."""
    sim = _scaled_out(400, read_ratio=0.5, static_ratio=0)
    sim.apply(AddReplica())
    assert sim.advance(20).stale_reads > 0
    no_replica = _scaled_out(400, read_ratio=0.5, static_ratio=0)
    assert no_replica.advance(20).stale_reads == 0


def test_when_the_primary_fails_writes_fail_until_a_replica_is_promoted():
    sim = _scaled_out(400, read_ratio=0.5, static_ratio=0)
    sim.apply(AddReplica())
    sim.advance(10)
    sim.apply(FailNode("db"))
    during = sim.advance(5)
    assert during.error_rate == pytest.approx(0.5, abs=0.08)  # the writes
    after = sim.advance(10)  # failover_s is 10
    assert after.error_rate == 0
    assert after.node("db-r1").role == "primary"
    assert after.node("db").role == "replica"
    (promoted,) = [e for e in after.events if e.kind == EventKind.PRIMARY_PROMOTED]
    assert (promoted.node, promoted.peer) == ("db-r1", "db")
    assert promoted.t - promoted.since == pytest.approx(10)
    # Writes of the last 100 ms before the failure had not reached the replica.
    assert 0 < promoted.count <= 400 * 0.5 * 0.1 * 2
    assert after.lost_writes == promoted.count


def test_without_a_replica_the_primary_serves_reads_and_nothing_is_promoted():
    sim = _scaled_out(200, read_ratio=0.8, static_ratio=0)
    sim.apply(FailNode("db"))
    snapshot = sim.advance(15)
    assert snapshot.error_rate == 1.0
    assert not [e for e in snapshot.events if e.kind == EventKind.PRIMARY_PROMOTED]


def test_the_traffic_mix_can_change_while_running():
    """More writes reach the primary; a hotter key set raises the cache's hit ratio."""
    sim = _scaled_out(400, read_ratio=0.9, static_ratio=0)
    sim.apply(AddCache())
    sim.advance(20)
    cold = _hit_ratio(sim, "cache", 10)
    sim.apply(SetTrafficMix(read_ratio=0.9, static_ratio=0.0, zipf_s=1.6))
    sim.advance(10)
    assert _hit_ratio(sim, "cache", 10) > cold + 0.1
    primary_before = sim.stations["db"].completed
    sim.advance(10)
    read_heavy = sim.stations["db"].completed - primary_before
    sim.apply(SetTrafficMix(read_ratio=0.5, static_ratio=0.0, zipf_s=1.6))
    primary_before = sim.stations["db"].completed
    sim.advance(10)
    assert sim.stations["db"].completed - primary_before > 2 * read_heavy
    with pytest.raises(CommandError) as caught:
        sim.apply(SetTrafficMix(read_ratio=1.5, static_ratio=0, zipf_s=1))
    assert caught.value.code == "mix_out_of_range"
