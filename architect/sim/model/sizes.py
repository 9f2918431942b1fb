"""Size presets for vertical scaling: each step doubles the workers and the cost."""

from __future__ import annotations

from dataclasses import dataclass

from architect.sim.model.costs import PER_WORKER


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    workers: int
    cost_per_month: float


# Each step doubles the workers (vCPUs) and, as clouds price a family's sizes, the cost:
# capacity costs the same per unit at any size. What a bigger machine cannot do is grow
# past "xl", the ceiling, or keep serving when it fails.
SIZES: dict[str, Size] = {
    name: Size(name, workers, workers * PER_WORKER)
    for name, workers in (("s", 4), ("m", 8), ("l", 16), ("xl", 32))
}
SIZE_ORDER: tuple[str, ...] = tuple(SIZES)
LARGEST_SIZE = SIZE_ORDER[-1]
