"""The celebrity problem's remedy: the hottest key gets a shard of its own.

Expected values from the Zipf law: key k is asked for with probability
(k + 1)^-s / Σ_j (j + 1)^-s, so the shard that holds key 0 alone takes that share of the
writes, and the other shards keep every other key where it was.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.commands import AddShard, CommandError, IsolateHotKey, SeparateDatabase
from architect.sim.engine.sharding import ConsistentHashRing, rule_for
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model import presets
from architect.sim.model.topology import Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind

from helpers.measure import database_rates

KEYS = 1_000
SKEW = 1.2
WRITES = 400.0


def _zipf(k: int) -> float:
    return float((k + 1) ** -SKEW / sum((j + 1) ** -SKEW for j in range(KEYS)))


def _two_shards() -> Simulation:
    traffic = Traffic(rps=WRITES, read_ratio=0.0, keys=KEYS, zipf_s=SKEW)
    sim = Simulation(replace(presets.single_server(WRITES), traffic=traffic), seed=4)
    sim.apply(SeparateDatabase())
    sim.apply(AddShard("consistent_hash"))
    return sim


def test_the_hottest_keys_each_get_a_shard_and_no_other_key_moves():
    ring = ConsistentHashRing(3)
    hot = rule_for("consistent_hash", 5, hot_keys=2)
    assert hot is not None and hot.shards == 5
    assert (hot.shard_of(0), hot.shard_of(1)) == (3, 4)
    assert all(hot.shard_of(k) == ring.shard_of(k) for k in range(2, 2_000))


def test_the_hot_key_s_shard_takes_its_share_of_the_writes():
    sim = _two_shards()
    sim.apply(IsolateHotKey())
    event = [e for e in sim.snapshot().events if e.kind == EventKind.HOT_KEY_ISOLATED][-1]
    assert (event.node, event.count) == ("db-s2", 1)
    assert event.value == pytest.approx(_zipf(0), rel=1e-9)
    rates = database_rates(sim, 20)
    assert rates["db-s2"] == pytest.approx(_zipf(0) * WRITES, rel=0.1)
    assert sum(rates.values()) == pytest.approx(WRITES, rel=0.05)
    assert sim.current_topology().sharding.hot_keys == 1
    again = load_topology(dump_topology(sim.current_topology()))
    assert again.sharding == sim.current_topology().sharding


def test_isolating_needs_shards_and_comes_after_the_splits():
    traffic = Traffic(rps=10, read_ratio=0.0, keys=KEYS)
    sim = Simulation(replace(presets.single_server(10), traffic=traffic), seed=4)
    sim.apply(SeparateDatabase())
    with pytest.raises(CommandError) as caught:
        sim.apply(IsolateHotKey())
    assert caught.value.code == "hot_key_needs_shards"
    sharded = _two_shards()
    sharded.apply(IsolateHotKey())
    with pytest.raises(CommandError) as caught:
        sharded.apply(AddShard("consistent_hash"))
    assert caught.value.code == "hot_keys_last"
    for _ in range(2):
        sharded.apply(IsolateHotKey())
    with pytest.raises(CommandError) as caught:
        sharded.apply(IsolateHotKey())
    assert caught.value.code == "too_many_hot_keys"


def test_a_topology_needs_fewer_hot_keys_than_shards():
    data = dump_topology(_two_shards().current_topology())
    data["sharding"] = {**data["sharding"], "hot_keys": 2}
    with pytest.raises(ValueError, match="hot keys"):
        load_topology(data)
