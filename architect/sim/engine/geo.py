"""Several data centers: where DNS sends each user, and how data reaches the others.

With ``geo_routing`` DNS sends a user to the data center of their region while
its entry is up, and to another healthy one otherwise (paying the cross-region
delay both ways). Without it, every user goes to the first data center, and
nobody is moved when it goes down. A write made in one center reaches the others
``dc_sync_ms`` later (``dc_sync``: async), at once but after the round trip (sync) or
never (none): ``CrossCenterSync``.

Resolvers keep a DNS answer for its TTL (``dns_ttl_s``; 0: the switch is instant).
When the center a region was sent to fails, the cached answers still naming it
expire at times spread evenly over the next TTL (a resolver's copy is equally
likely to be any age), so ``1 - age / ttl`` of that region's users still knock on
the dark center ``age`` seconds after the switch, and their requests fail: on
average ``rate × ttl / 2`` failed requests per failover. Moving back to a restored
center is not delayed: the users still sent elsewhere are served, only slower.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import deque
from collections.abc import Callable


class GeoDns:
    """Picks a data center for each user's region."""

    def __init__(
        self,
        centers: list[str],
        regions: tuple[tuple[str, float], ...],
        *,
        geo_routing: bool,
        is_up: Callable[[str], bool],
        rng: random.Random,
        ttl_s: float = 0.0,
    ) -> None:
        self.centers = centers
        self.geo_routing = geo_routing
        self.is_up = is_up
        self.rng = rng
        self.ttl_s = ttl_s
        self._answered: dict[str, str | None] = {}  # region → the center its users hold
        self._switched: dict[str, float] = {}  # region → when its center went dark
        names = [name for name, _ in regions] or [centers[0]]
        weights = [weight for _, weight in regions] or [1.0]
        self.regions = names
        self._cumulative = list(itertools.accumulate(weights))

    def region(self) -> str:
        """Where the next user is."""
        if len(self.regions) == 1:
            return self.regions[0]
        draw = self.rng.random() * self._cumulative[-1]
        return self.regions[bisect.bisect_right(self._cumulative, draw)]

    def center_for(self, region: str, now: float = 0.0) -> str | None:
        """The data center that serves a user of ``region`` at ``now``, or None when the
        request fails (no center is up, or the user's cached answer names a dark one)."""
        answer = self._healthy(region)
        if self.ttl_s <= 0.0 or not self.geo_routing:
            return answer
        held = self._answered.setdefault(region, answer)
        if held == answer or held is None or self.is_up(held):
            self._answered[region] = answer
            self._switched.pop(region, None)
            return answer
        age = now - self._switched.setdefault(region, now)
        if age >= self.ttl_s:  # every cached answer naming the dark center has expired
            self._answered[region] = answer
            del self._switched[region]
            return answer
        return None if self.rng.random() >= age / self.ttl_s else answer

    def _healthy(self, region: str) -> str | None:
        """What geoDNS answers now: the region's own center while it is up, else the
        first healthy one."""
        if not self.geo_routing:
            return self.centers[0]
        if region in self.centers and self.is_up(region):
            return region
        return next((c for c in self.centers if self.is_up(c)), None)


class CrossCenterSync:
    """How a write reaches the other data centers (``mode``), and what that costs.

    - ``async``: it reaches them ``sync_s`` later; a read there before that is stale.
      If its center goes dark first, it never does: a lost write (reads of that key
      elsewhere stay stale until it is written again).
    - ``sync``: the write is done only once every other center that is up has it, so
      it waits the round trip between centers (``wrote`` returns it; the database is
      free meanwhile); nothing is stale or lost.
    - ``none``: writes stay where they were made: a read elsewhere of a key last
      written in another center is stale, and a center that goes dark takes with it
      every write made there since the start.
    """

    def __init__(
        self,
        sync_s: float,
        mode: str = "async",
        *,
        round_trip_ms: float = 0.0,
        peer_up: Callable[[str], bool] = lambda center: True,
    ) -> None:
        self.sync_s = sync_s
        self.mode = mode
        self.round_trip_ms = round_trip_ms
        self.peer_up = peer_up  # whether a center other than this one is up
        self.stale_reads = 0
        self.lost_writes = 0
        self._written: dict[int, tuple[float, str]] = {}  # key → (reaches the others, where)
        self._in_flight: deque[tuple[float, str]] = deque()  # async: (arrives, where made)
        self._kept: dict[str, int] = {}  # none: writes made in each center

    def wrote(self, key: int, center: str, now: float) -> float:
        """A write of ``key`` in ``center``; the milliseconds it waits for the others."""
        if self.mode == "sync":
            self._written.pop(key, None)
            return self.round_trip_ms if self.peer_up(center) else 0.0
        if self.mode == "none":
            self._written[key] = (math.inf, center)
            self._kept[center] = self._kept.get(center, 0) + 1
            return 0.0
        arrives = now + self.sync_s
        self._written[key] = (arrives, center)
        flight = self._in_flight
        while flight and flight[0][0] <= now:
            flight.popleft()
        flight.append((arrives, center))
        return 0.0

    def read(self, key: int, center: str, now: float) -> None:
        written = self._written.get(key)
        if written is not None and written[1] != center and now < written[0]:
            self.stale_reads += 1

    def center_failed(self, center: str, now: float) -> int:
        """``center`` went dark: the writes made there the others do not have are lost
        (how many, also added to ``lost_writes``)."""
        if self.mode == "none":
            lost = self._kept.pop(center, 0)
        else:
            lost = sum(1 for arrives, where in self._in_flight if where == center and arrives > now)
            self._in_flight = deque(w for w in self._in_flight if w[1] != center)
        for key, (arrives, where) in self._written.items():
            if where == center and arrives > now:
                self._written[key] = (math.inf, where)
        self.lost_writes += lost
        return lost

    def set_mode(self, mode: str) -> None:
        """From now on; what was written before keeps the way it was sent."""
        self.mode = mode
