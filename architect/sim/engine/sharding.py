"""Which shard holds a data key: hash modulo n, or a consistent-hash ring.

Both hash with BLAKE2b, so a key's shard is the same in every process
(Python's own ``hash`` is salted per process). Modulo spreads keys evenly but
moves about n/(n+1) of them when a shard is added; the ring moves only the
keys the new shard takes over, about 1/(n+1), at the price of an unevenness
that shrinks as the number of virtual nodes per shard grows.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from hashlib import blake2b
from typing import Protocol

MAX_SHARDS = 256
MAX_VNODES = 1000


def stable_hash(text: str) -> int:
    """A 64-bit hash of ``text`` that does not change between processes."""
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big")


@lru_cache(maxsize=1 << 14)
def key_point(key: int) -> int:
    """``stable_hash`` of data key ``key``, remembered: the same few popular keys are
    hashed again and again (a Zipf law), by every simulation in the process."""
    return stable_hash(f"key:{key}")


def _check_shards(shards: int) -> None:
    if not 1 <= shards <= MAX_SHARDS:
        raise ValueError(f"the number of shards must be between 1 and {MAX_SHARDS}, not {shards}")


class Sharding(Protocol):
    shards: int

    def shard_of(self, key: int) -> int: ...

    def with_shards(self, shards: int) -> Sharding: ...


class ModuloSharding:
    """shard = hash(key) mod n."""

    __slots__ = ("shards",)

    def __init__(self, shards: int) -> None:
        _check_shards(shards)
        self.shards = shards

    def shard_of(self, key: int) -> int:
        return key_point(key) % self.shards

    def with_shards(self, shards: int) -> ModuloSharding:
        return ModuloSharding(shards)


class ConsistentHashRing:
    """Each shard owns ``vnodes`` points on a 64-bit ring; a key goes to the next point clockwise.

    Shard ``i``'s points depend only on ``i``, so adding shard ``n`` leaves
    shards 0..n-1 where they were and only keys taken over by the new one move.
    """

    __slots__ = ("_owners", "_points", "shards", "vnodes")

    def __init__(self, shards: int, vnodes: int = 100) -> None:
        _check_shards(shards)
        if not 1 <= vnodes <= MAX_VNODES:
            raise ValueError(
                f"virtual nodes per shard must be between 1 and {MAX_VNODES}, not {vnodes}"
            )
        self.shards = shards
        self.vnodes = vnodes
        ring = sorted(
            (stable_hash(f"shard:{shard}:vnode:{v}"), shard)
            for shard in range(shards)
            for v in range(vnodes)
        )
        self._points = [point for point, _ in ring]
        self._owners = [shard for _, shard in ring]

    def shard_of(self, key: int) -> int:
        index = bisect_right(self._points, key_point(key))
        return self._owners[index if index < len(self._owners) else 0]

    def with_shards(self, shards: int) -> ConsistentHashRing:
        return ConsistentHashRing(shards, self.vnodes)


class HotKeyShards:
    """The celebrity problem's remedy: keys 0..hot-1 (the most popular, by the Zipf law of
    ``engine.keys``) each on a shard of its own, after the ``rule``'s shards."""

    __slots__ = ("_base", "hot", "rule", "shards")

    def __init__(self, rule: ModuloSharding | ConsistentHashRing, hot: int) -> None:
        self.rule = rule
        self.hot = hot
        self._base = rule.shards
        self.shards = rule.shards + hot

    def shard_of(self, key: int) -> int:
        return self._base + key if 0 <= key < self.hot else self.rule.shard_of(key)

    def with_shards(self, shards: int) -> HotKeyShards:
        return HotKeyShards(self.rule.with_shards(shards - self.hot), self.hot)


def moved_share(before: Sharding, after: Sharding, keys: int) -> float:
    """The share of keys 0..keys-1 whose shard differs between ``before`` and ``after``."""
    if keys < 1:
        raise ValueError(f"count at least one key, not {keys}")
    moved = sum(before.shard_of(k) != after.shard_of(k) for k in range(keys))
    return moved / keys


def rule_for(strategy: str, shards: int, vnodes: int = 100, hot_keys: int = 0) -> Sharding | None:
    """The rule for a topology's ``sharding`` section; None when the data is not sharded.
    ``hot_keys``: the last shards hold one of the hottest keys each."""
    rule: ModuloSharding | ConsistentHashRing
    if strategy == "modulo":
        rule = ModuloSharding(shards - hot_keys)
    elif strategy == "consistent_hash":
        rule = ConsistentHashRing(shards - hot_keys, vnodes)
    else:
        return None
    return HotKeyShards(rule, hot_keys) if hot_keys else rule
