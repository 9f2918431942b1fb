"""Sharding: how many keys move when a shard is added, how even the load is, and stability."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from architect.sim.engine.sharding import ConsistentHashRing, ModuloSharding, moved_share

KEYS = 50_000
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("n", [4, 8])
def test_adding_a_shard_to_a_ring_moves_about_one_in_n_plus_one_keys(n: int):
    """The new shard takes over ~1/(n+1) of the ring, and only keys it takes over move.

    ±30 % (relative), not tighter: with 100 virtual nodes the new shard's arc is a sum of
    100 random gaps, so its share has a relative standard deviation of about 1/sqrt(100)
    = 10 %; 30 % is three of those.
    """
    before = ConsistentHashRing(n, vnodes=100)
    after = before.with_shards(n + 1)
    assert moved_share(before, after, KEYS) == pytest.approx(1 / (n + 1), rel=0.30)
    for key in range(KEYS):
        if before.shard_of(key) != after.shard_of(key):
            assert after.shard_of(key) == n, key


@pytest.mark.parametrize("n", [4, 8])
def test_adding_a_shard_under_modulo_moves_about_n_in_n_plus_one_keys(n: int):
    """hash mod n and hash mod (n+1) agree for 1/(n+1) of uniform hashes: n/(n+1) move."""
    share = moved_share(ModuloSharding(n), ModuloSharding(n + 1), KEYS)
    assert share == pytest.approx(n / (n + 1), abs=0.02)


def test_removing_the_last_shard_moves_only_its_keys():
    ring = ConsistentHashRing(5)
    smaller = ring.with_shards(4)
    for key in range(5_000):
        if ring.shard_of(key) != 4:
            assert smaller.shard_of(key) == ring.shard_of(key)


@pytest.mark.parametrize("n", [4, 8, 16])
def test_with_100_vnodes_no_shard_carries_more_than_135_percent_of_the_mean(n: int):
    ring = ConsistentHashRing(n, vnodes=100)
    load = [0] * n
    for key in range(KEYS):
        load[ring.shard_of(key)] += 1
    assert max(load) <= 1.35 * KEYS / n


def test_more_vnodes_spread_the_load_more_evenly():
    """The largest shard's excess shrinks roughly as 1/sqrt(vnodes)."""

    def worst(vnodes: int) -> float:
        ring = ConsistentHashRing(8, vnodes)
        load = [0] * 8
        for key in range(KEYS):
            load[ring.shard_of(key)] += 1
        return max(load) / (KEYS / 8)

    assert worst(1) > worst(10) > worst(1000)
    assert worst(1000) < 1.05


def test_shards_are_the_same_in_another_process_with_another_hash_seed():
    """BLAKE2b, not Python's salted hash(): shard_of agrees across PYTHONHASHSEED values."""
    keys = [0, 1, 42, 999_999]
    here = [(ConsistentHashRing(8).shard_of(k), ModuloSharding(8).shard_of(k)) for k in keys]
    program = (
        "from architect.sim.engine.sharding import ConsistentHashRing as R, ModuloSharding as M;"
        f"print([(R(8).shard_of(k), M(8).shard_of(k)) for k in {keys}])"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", program],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == str(here)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ModuloSharding(0), "shards"),
        (lambda: ModuloSharding(257), "shards"),
        (lambda: ConsistentHashRing(4, vnodes=0), "virtual nodes"),
        (lambda: ConsistentHashRing(4, vnodes=1001), "virtual nodes"),
        (lambda: moved_share(ModuloSharding(1), ModuloSharding(2), 0), "key"),
    ],
)
def test_out_of_range_settings_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
