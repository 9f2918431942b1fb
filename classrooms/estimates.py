"""A numeric-estimate poll's histogram: bins around the stage's answer.

The middle bin is the estimate's tolerance band (the guesses that are right); three
bins of the same width on each side (at least one unit wide, a rounded quarter of the
answer when the band is a single number), then one bin for everything below and one
for everything above. Every round of a poll is tallied into the same bins, so rounds
compare side by side. Pure: stage data in, counts out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SIDE_BINS = 3


@dataclass(frozen=True)
class Bin:
    low: int | None  # None: everything below ``high``
    high: int | None  # None: everything above ``low``
    within: bool = False  # the tolerance band

    def holds(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def label(self) -> str:
        if self.low is None:
            return f"< {self.high + 1:,}" if self.high is not None else ""
        if self.high is None:
            return f"> {self.low - 1:,}"
        return f"{self.low:,}" if self.low == self.high else f"{self.low:,}–{self.high:,}"


def band(estimate: dict[str, Any]) -> tuple[int, int]:
    """The whole numbers within the tolerance of the answer (``content.estimate_holds``)."""
    answer, tolerance = float(estimate["answer"]), float(estimate["tolerance"])
    return math.ceil(answer * (1 - tolerance) - 1e-9), math.floor(answer * (1 + tolerance) + 1e-9)


def _round_width(raw: float) -> int:
    """1, 2 or 5 times a power of ten, at least ``raw`` (at least 1)."""
    if raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def bins(estimate: dict[str, Any]) -> list[Bin]:
    low, high = band(estimate)
    width = high - low + 1 if high > low else _round_width(float(estimate["answer"]) / 4)
    below = [(low - n * width, low - (n - 1) * width - 1) for n in range(SIDE_BINS, 0, -1)]
    below = [(max(0, a), b) for a, b in below if b >= 0]
    found = [Bin(a, b) for a, b in below]
    if found and found[0].low and found[0].low > 0:
        found.insert(0, Bin(None, found[0].low - 1))
    elif not found and low > 0:
        found.append(Bin(None, low - 1))
    found.append(Bin(low, high, within=True))
    found += [Bin(high + 1 + n * width, high + (n + 1) * width) for n in range(SIDE_BINS)]
    last = found[-1].high
    assert last is not None
    found.append(Bin(last + 1, None))
    return found


def tally(estimate: dict[str, Any], values: list[int]) -> list[int]:
    """How many of ``values`` fall in each of ``bins(estimate)``."""
    found = bins(estimate)
    counts = [0] * len(found)
    for value in values:
        counts[next(i for i, b in enumerate(found) if b.holds(value))] += 1
    return counts
