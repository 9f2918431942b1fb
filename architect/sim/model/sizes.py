"""Size presets for vertical scaling: more workers, super-linear cost."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    workers: int
    cost_per_month: float


# Each step doubles the workers and costs about 2.4 times as much: vertical
# scaling gets dearer per unit of capacity, and "xl" is the ceiling.
SIZES: dict[str, Size] = {
    size.name: size
    for size in (
        Size("s", 4, 60.0),
        Size("m", 8, 140.0),
        Size("l", 16, 340.0),
        Size("xl", 32, 820.0),
    )
}
SIZE_ORDER: tuple[str, ...] = tuple(SIZES)
LARGEST_SIZE = SIZE_ORDER[-1]
