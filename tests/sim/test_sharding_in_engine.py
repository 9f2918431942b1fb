"""Database sharding inside a running simulation: spreading load, resharding, hot keys."""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.commands import (
    AddLoadBalancer,
    AddShard,
    AddWebServer,
    CommandError,
    Denormalise,
    FailNode,
    ResizeNode,
    SeparateDatabase,
)
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model import presets
from architect.sim.model.topology import Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind

from helpers.measure import database_rates


def _sharded(
    shards: int, *, strategy: str = "consistent_hash", zipf_s: float = 0.5, rps: float = 1200
) -> Simulation:
    traffic = Traffic(rps=rps, read_ratio=0.8, static_ratio=0, keys=100_000, zipf_s=zipf_s)
    sim = Simulation(replace(presets.single_server(rps), traffic=traffic), seed=5)
    sim.apply(SeparateDatabase())
    for _ in range(3):
        sim.apply(AddWebServer())
    sim.apply(AddLoadBalancer())
    for n in range(1, 5):
        sim.apply(ResizeNode(f"web-{n}", "l"))
    for _ in range(shards - 1):
        sim.apply(AddShard(strategy))
    return sim


def test_shards_split_the_database_load():
    """Four shards each take about a quarter of the dynamic requests."""
    rates = database_rates(_sharded(4), 20)
    assert sorted(rates) == ["db", "db-s1", "db-s2", "db-s3"]
    assert sum(rates.values()) == pytest.approx(1200, rel=0.05)
    for rate in rates.values():
        assert rate == pytest.approx(300, rel=0.3)


@pytest.mark.parametrize(("strategy", "expected"), [("consistent_hash", 1 / 4), ("modulo", 3 / 4)])
def test_adding_a_shard_reports_the_share_of_keys_that_move(strategy, expected):
    """From 3 to 4 shards: a consistent-hash ring moves ~1/4 of keys, modulo ~3/4."""
    sim = _sharded(4, strategy=strategy)
    event = [e for e in sim.snapshot().events if e.kind == EventKind.SHARD_ADDED][-1]
    assert (event.count, event.text) == (4, strategy)
    assert event.value == pytest.approx(
        expected, rel=0.3 if strategy == "consistent_hash" else 0.03
    )


def test_a_hot_key_overloads_its_shard():
    """The celebrity problem: with very skewed keys one shard does far more work."""
    rates = database_rates(_sharded(4, zipf_s=1.6), 20)
    hottest, coolest = max(rates.values()), min(rates.values())
    assert hottest > 2.5 * coolest


def test_each_split_chooses_its_rule():
    """Modulo 2 → ring of 3: a key stays only where both rules agree, 1/2 · 1/3 + 1/2 · 1/3
    = 1/3 of the time (the two hashes are independent), so 2/3 of the keys move."""
    sim = _sharded(2, strategy="modulo")
    sim.apply(AddShard("consistent_hash"))
    event = [e for e in sim.snapshot().events if e.kind == EventKind.SHARD_ADDED][-1]
    assert (event.count, event.text) == (3, "consistent_hash")
    assert event.value == pytest.approx(2 / 3, rel=0.1)
    assert sim.current_topology().sharding.strategy == "consistent_hash"


def test_sharded_topologies_load_dump_and_validate():
    sim = _sharded(3)
    topology = load_topology(
        {
            "version": 1,
            "sharding": {"strategy": "modulo", "shards": 2},
            "nodes": [
                {"id": "dns", "kind": "dns"},
                {"id": "web-1", "kind": "web_server", "service_ms": 20},
                {"id": "db-a", "kind": "database", "shard": 0},
                {"id": "db-b", "kind": "database", "shard": 1},
            ],
            "links": [["dns", "web-1"], ["web-1", "db-a"], ["web-1", "db-b"]],
        }
    )
    assert load_topology(dump_topology(topology)) == topology
    assert Simulation(topology).advance(5).error_rate == 0
    assert sim.snapshot().node("db-s2").shard == 2
    with pytest.raises(ValueError, match="shard 1 needs exactly one primary database"):
        load_topology({**dump_topology(topology), "nodes": dump_topology(topology)["nodes"][:3]})


def _with_cross_shard_reads(ratio: float) -> Simulation:
    traffic = Traffic(
        rps=800, read_ratio=1.0, static_ratio=0, keys=100_000, zipf_s=0.5, cross_shard_ratio=ratio
    )
    sim = Simulation(replace(presets.single_server(800), traffic=traffic), seed=9)
    sim.apply(SeparateDatabase())
    for _ in range(3):
        sim.apply(AddWebServer())
    sim.apply(AddLoadBalancer())
    for _ in range(3):
        sim.apply(AddShard("modulo"))
    return sim


def test_a_cross_shard_query_asks_every_shard_and_waits_for_the_slowest():
    """A share r of reads fans out to 4 shards: the databases do (1 − r) + 4r reads per read."""
    plain, fanned = _with_cross_shard_reads(0.0), _with_cross_shard_reads(0.25)
    plain_rates, fanned_rates = database_rates(plain, 20), database_rates(fanned, 20)
    assert sum(plain_rates.values()) == pytest.approx(800, rel=0.05)
    assert sum(fanned_rates.values()) == pytest.approx(800 * (0.75 + 4 * 0.25), rel=0.05)
    assert fanned.snapshot().throughput_rps == pytest.approx(800, rel=0.1)  # one answer per query
    fanned.window.reset_cumulative()
    plain.window.reset_cumulative()
    fanned.advance(20)
    plain.advance(20)
    (fan_p99,) = fanned.window.cumulative.latency.percentiles(0.99)
    (plain_p99,) = plain.window.cumulative.latency.percentiles(0.99)
    assert fan_p99 > plain_p99


def test_one_shard_down_fails_every_cross_shard_query_once():
    sim = _with_cross_shard_reads(0.25)
    sim.advance(5)
    sim.apply(FailNode("db-s2"))
    sim.window.reset_cumulative()
    sim.advance(10)
    measured = sim.window.cumulative
    error_rate = measured.failed / (measured.served + measured.failed)
    # The quarter of keys on db-s2 (of plain reads) and every cross-shard query fail.
    assert error_rate == pytest.approx(0.75 * 0.25 + 0.25, abs=0.04)


def test_denormalising_turns_every_cross_shard_read_into_a_one_shard_read():
    """Before: (1 − r) + 4r database reads per read; after: one, as if nothing crossed shards."""
    sim = _with_cross_shard_reads(0.25)
    sim.apply(Denormalise())
    event = [e for e in sim.snapshot().events if e.kind == EventKind.DENORMALISED][-1]
    assert event.value == 0.25
    # A property of the data, not of the traffic: the queries still join what they joined.
    assert sim.current_topology().sharding.denormalised
    assert sim.current_topology().traffic.cross_shard_ratio == 0.25
    sim.advance(1)  # requests already fanned out finish
    assert sum(database_rates(sim, 10).values()) == pytest.approx(800, rel=0.05)
    with pytest.raises(CommandError) as caught:
        sim.apply(Denormalise())
    assert caught.value.code == "no_cross_shard_reads"


def test_denormalising_needs_shards():
    sim = _sharded(1)
    with pytest.raises(CommandError) as caught:
        sim.apply(Denormalise())
    assert caught.value.code == "not_sharded"
