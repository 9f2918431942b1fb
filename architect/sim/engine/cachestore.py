"""A key-level cache model: which keys are held, not what they hold.

``get`` says hit or miss; after a miss the caller fetches from the store and
``put``s the key. Entries expire ``ttl_s`` after their last ``put`` (lazily:
an expired entry is found and dropped by the next ``get``). When full, a new
key evicts one by policy:

- ``lru``: the least recently used (a hit or a put counts as a use);
- ``lfu``: the least frequently used since it was put, ties to the least recent;
- ``fifo``: the oldest put, whatever its use.

What a write does to a held copy is the cache's ``writes`` policy: ``invalidate``
drops it (the next read is a miss and fetches the new value), ``expire`` leaves it
until its TTL runs out, so reads of it until then are *stale* hits (``stale_hits``).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Literal

Eviction = Literal["lru", "lfu", "fifo"]
EVICTIONS: tuple[Eviction, ...] = ("lru", "lfu", "fifo")
WritePolicy = Literal["invalidate", "expire"]
WRITE_POLICIES: tuple[WritePolicy, ...] = ("invalidate", "expire")
MAX_CAPACITY = 10_000_000


class _Queue:
    """LRU or FIFO order: one ordered dict, oldest first."""

    __slots__ = ("_order", "_refresh")

    def __init__(self, refresh: bool) -> None:
        self._order: OrderedDict[int, None] = OrderedDict()
        self._refresh = refresh

    def add(self, key: int) -> None:
        self._order[key] = None

    def use(self, key: int) -> None:
        if self._refresh:
            self._order.move_to_end(key)

    def remove(self, key: int) -> None:
        del self._order[key]

    def pop_victim(self) -> int:
        return self._order.popitem(last=False)[0]


class _Frequencies:
    """LFU order: keys bucketed by use count, each bucket least recent first."""

    __slots__ = ("_buckets", "_count", "_least")

    def __init__(self) -> None:
        self._count: dict[int, int] = {}
        self._buckets: dict[int, OrderedDict[int, None]] = {}
        self._least = 1

    def add(self, key: int) -> None:
        self._count[key] = 1
        self._buckets.setdefault(1, OrderedDict())[key] = None
        self._least = 1

    def use(self, key: int) -> None:
        count = self._count[key]
        self._unbucket(key, count)
        self._count[key] = count + 1
        self._buckets.setdefault(count + 1, OrderedDict())[key] = None
        if self._least == count and count not in self._buckets:
            self._least = count + 1

    def remove(self, key: int) -> None:
        self._unbucket(key, self._count.pop(key))

    def pop_victim(self) -> int:
        if self._least not in self._buckets:  # its bucket emptied by a removal
            self._least = min(self._buckets)
        key = next(iter(self._buckets[self._least]))
        self.remove(key)
        return key

    def _unbucket(self, key: int, count: int) -> None:
        bucket = self._buckets[count]
        del bucket[key]
        if not bucket:
            del self._buckets[count]


def _new_order(eviction: Eviction) -> _Queue | _Frequencies:
    return _Frequencies() if eviction == "lfu" else _Queue(refresh=eviction == "lru")


class KeyCache:
    """A bounded set of keys with hit/miss/eviction counters."""

    def __init__(
        self,
        capacity: int,
        ttl_s: float | None,
        eviction: Eviction,
        writes: WritePolicy = "invalidate",
    ) -> None:
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ValueError(
                f"cache capacity must be between 1 and {MAX_CAPACITY:,}, not {capacity}"
            )
        _check_ttl(ttl_s)
        _check_eviction(eviction)
        if writes not in WRITE_POLICIES:
            raise ValueError(f"writes must be one of {', '.join(WRITE_POLICIES)}, not {writes!r}")
        self.capacity = capacity
        self.ttl_s = ttl_s
        self.eviction: Eviction = eviction
        self.writes: WritePolicy = writes
        self.hits = self.misses = self.evictions = self.expired = self.stale_hits = 0
        self._expiry: dict[int, float] = {}
        self._stale: set[int] = set()  # held keys written since they were put
        self._order = _new_order(eviction)

    def __len__(self) -> int:
        return len(self._expiry)

    def get(self, key: int, now: float) -> bool:
        """Hit (and count a use) or miss; an expired entry is a miss and is dropped."""
        expiry = self._expiry.get(key)
        if expiry is None:
            self.misses += 1
            return False
        if now >= expiry:
            self._drop(key)
            self.expired += 1
            self.misses += 1
            return False
        self._order.use(key)
        self.hits += 1
        if key in self._stale:
            self.stale_hits += 1
        return True

    def put(self, key: int, now: float) -> None:
        """Hold ``key`` from ``now`` for ``ttl_s``, evicting one key first if full."""
        expiry = math.inf if self.ttl_s is None else now + self.ttl_s
        if key in self._expiry:
            self._order.use(key)
        else:
            if len(self._expiry) >= self.capacity:
                del self._expiry[self._order.pop_victim()]
                self.evictions += 1
            self._order.add(key)
        self._expiry[key] = expiry
        self._stale.discard(key)

    def written(self, key: int) -> None:
        """The store wrote ``key``: drop the copy, or keep it (stale) until it expires."""
        if self.writes == "invalidate":
            self.invalidate(key)
        elif key in self._expiry:
            self._stale.add(key)

    def set_ttl(self, ttl_s: float | None) -> None:
        """Copies put from now on live ``ttl_s``; those held keep their expiry."""
        _check_ttl(ttl_s)
        self.ttl_s = ttl_s

    def set_eviction(self, eviction: Eviction) -> None:
        """Evict by ``eviction`` from now on. The held keys stay, as if each had just been
        put, in the order they expire (the order they were put while the TTL is unchanged);
        an LFU count starts again at one."""
        _check_eviction(eviction)
        order = _new_order(eviction)
        for key in sorted(self._expiry, key=self._expiry.__getitem__):
            order.add(key)
        self.eviction, self._order = eviction, order

    def invalidate(self, key: int) -> bool:
        """Drop ``key`` if held; says whether it was."""
        if key not in self._expiry:
            return False
        self._drop(key)
        return True

    def clear(self) -> None:
        """Drop every key (the counters stay)."""
        self._expiry.clear()
        self._stale.clear()
        self._order = _new_order(self.eviction)

    def hit_ratio(self) -> float:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else math.nan

    def _drop(self, key: int) -> None:
        del self._expiry[key]
        self._stale.discard(key)
        self._order.remove(key)


def _check_ttl(ttl_s: float | None) -> None:
    if ttl_s is not None and not ttl_s > 0:
        raise ValueError(f"a cache TTL must be positive seconds or None, not {ttl_s}")


def _check_eviction(eviction: str) -> None:
    if eviction not in EVICTIONS:
        raise ValueError(f"eviction must be one of {', '.join(EVICTIONS)}, not {eviction!r}")
