"""Resharding under load: the keys a new rule moves are copied, loading the shards meanwhile.

Expected values come from the hashing argument, not from a run: with modulo, key k's
shard from 2 to 3 shards depends on h mod 6 (h uniform), so of the 6 residues 0 and 1
stay, 2 → shard 2, 3 → shard 0, 4 → shard 1, 5 → shard 2. Shard 0 gives away residues 2
and 4 (1/3 of the keys) and takes residue 3 (1/6): it does K/3 + K/6 = K/2 copy operations.
A consistent-hash ring's new shard takes about 1/3 of the keys, half from each old shard.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.commands import AddShard, SeparateDatabase
from architect.sim.engine.migration import moves
from architect.sim.engine.sharding import ModuloSharding
from architect.sim.model import presets
from architect.sim.model.topology import Sharding, Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind

from helpers.measure import database_rates

KEYS = 6_000
COPY_S = 10.0
SERVICE_S = 0.005  # a database's service time (presets)
WORKERS = 8  # an "m" database


def test_modulo_2_to_3_moves_two_thirds_as_the_residues_say():
    moved = moves(ModuloSharding(2), ModuloSharding(3), KEYS)
    assert len(moved) / KEYS == pytest.approx(2 / 3, rel=0.05)
    out = {s: sum(1 for _, old, _ in moved if old == s) for s in range(3)}
    into = {s: sum(1 for _, _, new in moved if new == s) for s in range(3)}
    assert out[0] / KEYS == pytest.approx(1 / 3, rel=0.08)
    assert into[0] / KEYS == pytest.approx(1 / 6, rel=0.1)
    assert into[2] / KEYS == pytest.approx(1 / 3, rel=0.08)
    assert out[2] == 0
    first = moves(None, ModuloSharding(2), KEYS)  # from one shard: what shard 1 takes
    assert all(old == 0 and new == 1 for _, old, new in first)
    assert len(first) / KEYS == pytest.approx(1 / 2, rel=0.05)


def _two_shards(strategy: str) -> Simulation:
    """Two m shards and a trickle of reads, copying moved keys over COPY_S seconds."""
    traffic = Traffic(rps=10, read_ratio=1.0, keys=KEYS, zipf_s=0.0)
    topology = replace(presets.single_server(10), traffic=traffic, sharding=Sharding(copy_s=COPY_S))
    sim = Simulation(topology, seed=3)
    sim.apply(SeparateDatabase())
    sim.apply(AddShard(strategy))
    sim.advance(COPY_S + 1)  # the first split's copy is over
    return sim


@pytest.mark.parametrize(
    ("strategy", "old_shard_ops", "new_shard_ops"),
    [("modulo", 1 / 2, 1 / 3), ("consistent_hash", 1 / 6, 1 / 3)],
)
def test_the_copy_loads_each_shard_by_the_keys_it_gives_and_takes(
    strategy: str, old_shard_ops: float, new_shard_ops: float
) -> None:
    """Each shard does (keys out + keys in) / copy_s operations a second, and is busier by
    that rate × the service time ÷ its workers (utilisation = arrival rate × service)."""
    sim = _two_shards(strategy)
    sim.apply(AddShard(strategy))
    rates = database_rates(sim, COPY_S)
    trickle = 10 / 3  # the user reads, about a third per shard
    ring = 0.35 if strategy == "consistent_hash" else 0.1  # a ring's shares are uneven
    for old in ("db", "db-s1"):
        expected = old_shard_ops * KEYS / COPY_S
        assert rates[old] - trickle == pytest.approx(expected, rel=ring)
    assert rates["db-s2"] - trickle == pytest.approx(new_shard_ops * KEYS / COPY_S, rel=ring)
    busy = sim.snapshot().node("db").utilization
    assert busy == pytest.approx(
        (old_shard_ops * KEYS / COPY_S + trickle) * SERVICE_S / WORKERS, rel=ring + 0.15
    )
    copied = [e for e in sim.snapshot().events if e.kind == EventKind.KEYS_COPIED][-1]
    share = [e for e in sim.snapshot().events if e.kind == EventKind.SHARD_ADDED][-1].value
    assert copied.count == round(share * KEYS)
    assert copied.value == pytest.approx(COPY_S, rel=0.01)
    after = database_rates(sim, 5)  # the copy is over: only the trickle is left
    assert sum(after.values()) == pytest.approx(10, rel=0.5)


def test_without_a_copy_time_resharding_is_free():
    sim = _two_shards("modulo")
    sim = Simulation(replace(sim.current_topology(), sharding=Sharding("modulo", 2)), seed=3)
    sim.apply(AddShard("modulo"))
    assert not [e for e in sim.snapshot().events if e.kind == EventKind.KEYS_COPIED]
    assert sum(database_rates(sim, 5).values()) == pytest.approx(10, rel=0.5)


def test_a_simulation_started_after_a_split_copies_its_keys_again_unless_settled():
    """A lesson's run starts from the learner's architecture: a split they made before it
    is copied from t = 0, as when the checker makes it at t = 0."""
    sim = _two_shards("modulo")
    sim.apply(AddShard("modulo"))
    after = sim.current_topology()
    assert (after.sharding.split_from_strategy, after.sharding.split_from_shards) == ("modulo", 2)
    replayed = Simulation(after, seed=3)
    rates = database_rates(replayed, COPY_S)
    assert rates["db"] - 10 / 3 == pytest.approx(KEYS / 2 / COPY_S, rel=0.1)
    settled = Simulation(replace(after, sharding=after.sharding.settled()), seed=3)
    assert sum(database_rates(settled, 5).values()) == pytest.approx(10, rel=0.5)
