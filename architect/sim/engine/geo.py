"""Several data centers: where DNS sends each user, and how data reaches the others.

With ``geo_routing`` DNS sends a user to the data center of their region while
its entry is up, and to another healthy one otherwise (paying the cross-region
delay both ways). Without it, every user goes to the first data center, and
nobody is moved when it goes down. A write made in one center reaches the others
``dc_sync_ms`` later: a read there before that is stale.
"""

from __future__ import annotations

import bisect
import itertools
import random
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
    ) -> None:
        self.centers = centers
        self.geo_routing = geo_routing
        self.is_up = is_up
        self.rng = rng
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

    def center_for(self, region: str) -> str | None:
        """The data center that serves ``region`` now, or None when none can."""
        if not self.geo_routing:
            return self.centers[0]
        if region in self.centers and self.is_up(region):
            return region
        return next((c for c in self.centers if self.is_up(c)), None)


class CrossCenterSync:
    """When each key was last written, and where; counts reads that beat the sync."""

    def __init__(self, sync_s: float) -> None:
        self.sync_s = sync_s
        self.stale_reads = 0
        self._written: dict[int, tuple[float, str]] = {}

    def wrote(self, key: int, center: str, now: float) -> None:
        self._written[key] = (now, center)

    def read(self, key: int, center: str, now: float) -> None:
        written = self._written.get(key)
        if written is not None and written[1] != center and now - written[0] < self.sync_s:
            self.stale_reads += 1
