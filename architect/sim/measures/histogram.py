"""A log-scale latency histogram: constant-time insert, percentiles to ±0.5 %."""

from __future__ import annotations

import math

_GROWTH = 1.01  # each bin is 1 % wider than the one before
_SCALE = 1.0 / math.log(_GROWTH)
_FLOOR_MS = 0.001


def bin_of(ms: float) -> int:
    """The bin holding a latency in milliseconds."""
    return math.floor(math.log(max(ms, _FLOOR_MS)) * _SCALE)


def bin_value(index: int) -> float:
    """The geometric middle of a bin, in milliseconds."""
    return math.exp((index + 0.5) / _SCALE)


class Histogram:
    """Counts of latencies per log bin, with an exact sum for the mean."""

    __slots__ = ("counts", "sum_ms", "total")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.total = 0
        self.sum_ms = 0.0

    def add(self, ms: float) -> None:
        # floor, not int(): int() rounds towards zero, which shifts every bin below 1 ms.
        index = math.floor(math.log(ms if ms > _FLOOR_MS else _FLOOR_MS) * _SCALE)
        counts = self.counts
        counts[index] = counts.get(index, 0) + 1
        self.total += 1
        self.sum_ms += ms

    def add_all(self, values: list[float]) -> None:
        """``add`` each of ``values`` in turn (the same bins and the same sum)."""
        counts, get, log, floor = self.counts, self.counts.get, math.log, math.floor
        sum_ms = self.sum_ms
        for ms in values:
            index = floor(log(ms if ms > _FLOOR_MS else _FLOOR_MS) * _SCALE)
            counts[index] = get(index, 0) + 1
            sum_ms += ms
        self.sum_ms = sum_ms
        self.total += len(values)

    def add_many(self, ms: float, count: int) -> None:
        """Add ``count`` latencies of ``ms`` each (aggregate mode's weighted samples)."""
        index = math.floor(math.log(ms if ms > _FLOOR_MS else _FLOOR_MS) * _SCALE)
        self.counts[index] = self.counts.get(index, 0) + count
        self.total += count
        self.sum_ms += ms * count

    def merge(self, other: Histogram, sign: int = 1) -> None:
        """Add (or with ``sign=-1`` take away) another histogram's counts."""
        counts = self.counts
        get = counts.get
        if sign == 1:  # counts only grow: none can reach zero
            for index, n in other.counts.items():
                counts[index] = get(index, 0) + n
        else:
            for index, n in other.counts.items():
                left = get(index, 0) + sign * n
                if left:
                    counts[index] = left
                else:
                    counts.pop(index, None)
        self.total += sign * other.total
        self.sum_ms += sign * other.sum_ms

    def mean(self) -> float:
        return self.sum_ms / self.total if self.total else math.nan

    def percentiles(self, *quantiles: float) -> tuple[float, ...]:
        """Latencies below which the given shares (0..1) of requests fall."""
        if not self.total:
            return tuple(math.nan for _ in quantiles)
        targets = [q * self.total for q in quantiles]
        found: list[float] = [math.nan] * len(quantiles)
        seen = 0
        pending = sorted(range(len(quantiles)), key=lambda i: targets[i])
        position = 0
        for index in sorted(self.counts):
            seen += self.counts[index]
            while position < len(pending) and seen >= targets[pending[position]]:
                found[pending[position]] = bin_value(index)
                position += 1
            if position == len(pending):
                break
        return tuple(found)
