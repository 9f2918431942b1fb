"""Resharding's copy: the keys a new shard rule moves are copied while the traffic goes on.

A new rule (one more shard, by modulo or consistent hashing) moves some keys to another
shard. Copying them is work for the databases: each moved key costs one read on the
primary of the shard that held it, then one write on the primary of the shard that takes
it, at those databases' own service times. The keys are copied one after the other,
evenly over ``Sharding.copy_s`` seconds, in every data center that holds the data. So a
shard that gives away ``r`` keys and takes ``w`` does ``(r + w) / copy_s`` more operations a
second, and is busier by that rate times its service time over its workers, for as long
as the copy lasts: modulo, moving n/(n+1) of the keys from n to n+1 shards, loads them
n times as much as consistent hashing, which moves about 1/(n+1).

What it leaves out: reads of a moved key are answered as if it had already moved (no
misses while it is copied), a copy a failed or full shard refuses is lost, not retried,
and aggregate mode's flows (above 20,000 req/s) do not carry the copies' load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from architect.sim.engine.journey import READ
from architect.sim.engine.replication import DataTiers
from architect.sim.engine.sharding import Sharding, rule_for
from architect.sim.engine.stations import Request
from architect.sim.engine.timeline import Environment
from architect.sim.model import topology
from architect.sim.snapshot import EventKind

if TYPE_CHECKING:
    from architect.sim.engine.site import Site

Move = tuple[int, int, int]  # (key, the shard that held it, the shard that takes it)


def moves(before: Sharding | None, after: Sharding, keys: int) -> list[Move]:
    """The keys 0..keys-1 whose shard differs between ``before`` (None: one shard) and ``after``."""
    if keys < 1:
        raise ValueError(f"count at least one key, not {keys}")
    found = []
    for key in range(keys):
        old = before.shard_of(key) if before is not None else 0
        new = after.shard_of(key)
        if old != new:
            found.append((key, old, new))
    return found


class _Write:
    """The second leg of a copy: the write on the shard that takes the key."""

    failed = True  # a copy a shard refuses is nobody's error (``Arrivals._fail``)

    def __init__(self, migration: Migration) -> None:
        self.migration = migration

    def part_done(self, request: Request, complete: Callable[[Request], None]) -> None:
        self.migration.copied += 1


class _Read:
    """The first leg of a copy: the read on the shard that held the key."""

    failed = True

    def __init__(self, center: str, migration: Migration) -> None:
        self.center = center
        self.migration = migration
        self.write = _Write(migration)

    def part_done(self, request: Request, complete: Callable[[Request], None]) -> None:
        data = self.migration.data(self.center)
        to = request.user  # the new shard, carried by the copy
        if data is None or to >= len(data.tiers):
            return
        request.parent = self.write
        data.tiers[to].primary.arrive(request)


class Migration:
    """Copies ``moved`` keys, one every ``copy_s / len(moved)`` seconds, in each center."""

    def __init__(
        self,
        env: Environment,
        moved: list[Move],
        copy_s: float,
        centers: Iterable[str],
        data: Callable[[str], DataTiers | None],
        on_done: Callable[[Migration], None],
    ) -> None:
        if copy_s <= 0:
            raise ValueError(f"a copy lasts more than 0 s, not {copy_s}")
        self.env = env
        self.moved = moved
        self.copy_s = copy_s
        self.data = data
        self.on_done = on_done
        self.legs = [_Read(center, self) for center in centers]
        self.sent = 0
        self.copied = 0  # writes done (in every center)
        self.started_s = env.now
        self.interval = copy_s / len(moved) if moved else 0.0

    def start(self) -> None:
        if self.moved:
            self.env.call_later(0.0, self._next, None)
        else:
            self.on_done(self)

    def _next(self, _: object) -> None:
        key, old, new = self.moved[self.sent]
        self.sent += 1
        for leg in self.legs:
            data = self.data(leg.center)
            if data is not None and max(old, new) < len(data.tiers):
                copy = Request(self.env.now, READ, key, new)
                copy.parent = leg
                data.tiers[old].primary.arrive(copy)
        if self.sent < len(self.moved):
            self.env.call_later(self.interval, self._next, None)
        else:
            self.on_done(self)


def start_copy(site: Site, moved: list[Move], copy_s: float) -> None:
    """Copy ``moved`` in every center that holds the data; the event log says when done."""

    def done(copy: Migration) -> None:
        took = site.now - copy.started_s
        site.record(EventKind.KEYS_COPIED, count=len(moved), value=took, since=copy.started_s)

    centers = [c for c in site.centers if c in site.data_by_center]
    Migration(site.env, moved, copy_s, centers, site.data_by_center.get, done).start()


def last_split(sharding: topology.Sharding, keys: int) -> list[Move]:
    """The keys the topology's last split moved ([] when it records none)."""
    if not sharding.split_from_strategy:
        return []
    before = rule_for(
        sharding.split_from_strategy,
        sharding.split_from_shards,
        sharding.vnodes,
        sharding.split_from_hot_keys,
    )
    after = rule_for(sharding.strategy, sharding.shards, sharding.vnodes, sharding.hot_keys)
    assert after is not None
    return moves(before, after, keys)
