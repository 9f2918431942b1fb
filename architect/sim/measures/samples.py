"""Per-node figures over the last second: what each station and store had done at each
bucket boundary, so rates and ratios need no work on the hot path.

The engine calls ``take`` when it closes a bucket; a snapshot reads the difference
between the oldest and the newest sample (one second apart once the window is full).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Protocol

from architect.sim.measures.window import BUCKET_S

KEPT = round(1.0 / BUCKET_S) + 1  # samples at both ends of one second


class Measured(Protocol):
    """A station as the samples see it: its completions and its busy-time areas."""

    completed: float

    def areas(self) -> tuple[float, float]: ...


class Counted(Protocol):
    """A key store as the samples see it: its hits and misses so far."""

    hits: int
    misses: int


class Samples:
    """The last second's samples of every station and key store, by node id."""

    def __init__(self) -> None:
        self._stations: dict[str, deque[tuple[float, float, float]]] = {}
        self._stores: dict[str, deque[tuple[int, int]]] = {}

    def add_station(self, node_id: str, station: Measured) -> None:
        self._stations[node_id] = deque([_sample(station)], maxlen=KEPT)

    def add_store(self, node_id: str) -> None:
        self._stores[node_id] = deque([(0, 0)], maxlen=KEPT)

    def remove(self, node_id: str) -> None:
        self._stations.pop(node_id, None)
        self._stores.pop(node_id, None)

    def take(self, stations: Mapping[str, Measured], stores: Mapping[str, Counted]) -> None:
        """One sample of each, at a bucket boundary."""
        for node_id, station in stations.items():
            self._stations[node_id].append(_sample(station))
        for node_id, store in stores.items():
            self._stores[node_id].append((store.hits, store.misses))

    def station(self, node_id: str) -> tuple[float, float]:
        """(utilisation, completions per second) of a station over the samples kept."""
        samples = self._stations[node_id]
        (done_0, busy_0, cap_0), (done_1, busy_1, cap_1) = samples[0], samples[-1]
        span = (len(samples) - 1) * BUCKET_S
        capacity = cap_1 - cap_0
        return (
            (busy_1 - busy_0) / capacity if capacity > 0 else 0.0,
            (done_1 - done_0) / span if span else 0.0,
        )

    def hit_ratio(self, node_id: str) -> float | None:
        """Hits ÷ lookups of a key store over the samples kept; None before any lookup."""
        samples = self._stores[node_id]
        (hits_0, misses_0), (hits_1, misses_1) = samples[0], samples[-1]
        lookups = hits_1 - hits_0 + misses_1 - misses_0
        return (hits_1 - hits_0) / lookups if lookups else None


def _sample(station: Measured) -> tuple[float, float, float]:
    """(completed, busy worker-seconds, available worker-seconds) of a station now."""
    busy, capacity = station.areas()
    return station.completed, busy, capacity
