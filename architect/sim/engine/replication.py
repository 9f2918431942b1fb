"""Database replication: one primary for writes, replicas for reads.

Replicas apply each write ``lag_s`` after the primary did; a read of a key
written more recently than that is *stale*. When the primary fails, a replica
is promoted after ``failover_s``; writes the replicas had not received yet
(those of the last ``lag_s`` before the failure) are lost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from architect.sim.engine.stations import Request, Station

REMEMBERED_KEYS = 4096  # each data center's tiers: about 0.3 MB at most


class DataTier:
    """Where reads and writes go, and what replication has and has not copied."""

    def __init__(self, primary: Station, replicas: list[Station], *, lag_s: float) -> None:
        self.primary = primary
        self.replicas = replicas
        self.lag_s = lag_s
        self.stale_reads = 0
        self.lost_writes = 0
        self._next_replica = 0
        self._last_write: dict[int, float] = {}
        self._recent_writes: deque[float] = deque()

    def reader(self, request: Request) -> Station:
        """A replica that is up, in turn; the primary when none is."""
        if not self.replicas:
            return self.primary
        replicas = [r for r in self.replicas if not r.failed]
        if not replicas:
            return self.primary
        self._next_replica = (self._next_replica + 1) % len(replicas)
        replica = replicas[self._next_replica]
        written = self._last_write.get(request.key)
        if written is not None and replica.env.now - written < self.lag_s:
            self.stale_reads += 1
        return replica

    def wrote(self, key: int, now: float) -> None:
        """The primary finished a write of ``key`` at ``now``."""
        self._last_write[key] = now
        recent = self._recent_writes
        recent.append(now)
        while recent and now - recent[0] > self.lag_s:
            recent.popleft()

    def unreplicated_writes(self, now: float) -> int:
        """Writes from the last ``lag_s`` that no replica has applied yet."""
        return sum(1 for t in self._recent_writes if now - t <= self.lag_s)

    def promote(self, now: float) -> Station | None:
        """Make the first healthy replica the primary; the old one becomes a replica.

        Returns the new primary, or None when no replica is up (nothing changes).
        """
        candidates = [r for r in self.replicas if not r.failed]
        if not candidates:
            return None
        new = candidates[0]
        lost = self.unreplicated_writes(self.primary.failed_at)
        self.lost_writes += lost
        self._recent_writes.clear()
        self.replicas = [self.primary] + [r for r in self.replicas if r is not new]
        self.primary = new
        return new


class DataTiers:
    """One ``DataTier`` per shard, and the rule that picks a key's shard.

    A key's shard is remembered (up to ``REMEMBERED_KEYS``, then forgotten all at once):
    the rule is fixed for this wiring and the same popular keys come again and again."""

    def __init__(self, tiers: list[DataTier], shard_of: Callable[[int], int]) -> None:
        self.tiers = tiers
        self.shard_of = shard_of
        self._shards: dict[int, int] = {}

    def for_key(self, key: int) -> DataTier:
        tiers = self.tiers
        if len(tiers) == 1:
            return tiers[0]
        shards = self._shards
        shard = shards.get(key)
        if shard is None:
            shard = self.shard_of(key)
            if len(shards) >= REMEMBERED_KEYS:
                shards.clear()
            shards[key] = shard
        return tiers[shard]

    def holding(self, station: Station) -> DataTier | None:
        """The tier whose primary is ``station``."""
        return next((tier for tier in self.tiers if tier.primary is station), None)

    @property
    def stale_reads(self) -> int:
        return sum(tier.stale_reads for tier in self.tiers)

    @property
    def lost_writes(self) -> int:
        return sum(tier.lost_writes for tier in self.tiers)
