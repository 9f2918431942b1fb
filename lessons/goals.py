"""Is a stage's goal met? Judged one closed simulated second at a time.

Pure Python over the engine's ``Snapshot`` (imports ``architect.sim`` only), so
the stage page and ``check_lessons`` judge alike::

    tracker = GoalTracker(stage.goal, duration_s=40)
    status = tracker.observe(sim.advance(1.0))

The engine writes a record of every whole second when it closes (the snapshot's
``series``); the tracker judges each second it has not judged yet, by its number,
so the verdict does not depend on how often or when snapshots are taken (the
speed, pauses, slow ticks). Every condition must hold in every second whose
window starts at or after ``from_s`` and ends by ``duration_s``. A metric without
a value (no completed request, a node that does not exist) fails its condition in
that second, and so does a second the snapshots no longer hold.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from architect.sim.snapshot import SeriesPoint, Snapshot

METRICS = (
    "throughput_rps",
    "offered_rps",
    "error_rate",
    "mean_ms",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "cost_per_month",
    "utilization",
    "max_utilization",
    "hit_ratio",
    "lost_writes",
    "sessions_lost",
    "stale_reads",
    "queue_depth",
)
NODE_METRICS = ("utilization", "hit_ratio")  # these need ``node``
LATENCY_METRICS = ("mean_ms", "p50_ms", "p95_ms", "p99_ms")
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "below": operator.lt,
    "at_most": operator.le,
    "at_least": operator.ge,
    "above": operator.gt,
}
# Worse is higher for an upper bound, lower for a lower bound.
WORSE: dict[str, Callable[[list[float]], float]] = {
    "below": max,
    "at_most": max,
    "at_least": min,
    "above": min,
}
DEFAULT_FROM_S = 5.0
_EPSILON = 1e-6


def metric_value(point: SeriesPoint, metric: str, node: str = "") -> float | None:
    """One metric of one closed second; None when it has no value."""
    match metric:
        case "throughput_rps" | "offered_rps" | "error_rate" | "cost_per_month":
            return float(getattr(point, metric))
        case "lost_writes" | "sessions_lost" | "stale_reads":
            return float(getattr(point, metric))
        case "mean_ms" | "p50_ms" | "p95_ms" | "p99_ms":
            return None if point.latency is None else float(getattr(point.latency, metric))
        case "utilization":
            return dict(point.utilization).get(node)
        case "max_utilization":
            return max((u for _, u in point.utilization), default=0.0)
        case "hit_ratio":
            return dict(point.hit_ratios).get(node)
        case "queue_depth":
            return None if point.queue_depth is None else float(point.queue_depth)
    raise ValueError(f'unknown metric "{metric}"')


def judged_seconds(from_s: float, duration_s: float) -> range:
    """The seconds a run judges: each n whose window (n − 1, n] starts at or after
    ``from_s`` and ends by ``duration_s``."""
    first = max(1, math.ceil(from_s - _EPSILON) + 1)
    return range(first, math.floor(duration_s + _EPSILON) + 1)


@dataclass(frozen=True, slots=True)
class Condition:
    metric: str
    node: str
    operator: str
    threshold: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Condition:
        ops = [op for op in OPERATORS if op in data]
        if data.get("metric") not in METRICS or len(ops) != 1:
            raise ValueError(f"not a goal condition: {dict(data)!r}")
        return cls(str(data["metric"]), str(data.get("node", "")), ops[0], float(data[ops[0]]))

    def holds(self, value: float | None) -> bool:
        return (
            value is not None
            and math.isfinite(value)
            and OPERATORS[self.operator](value, self.threshold)
        )

    def value(self, point: SeriesPoint | None) -> float | None:
        """This condition's metric in ``point`` (None: a second the snapshots lost)."""
        return None if point is None else metric_value(point, self.metric, self.node)


@dataclass(frozen=True, slots=True)
class Judged:
    """One judged second of one condition."""

    second: int  # the n-th second of the run: its window is (n − 1, n]
    value: float | None  # None: the metric had no value (or the second was lost)
    ok: bool


@dataclass(frozen=True, slots=True)
class ConditionStatus:
    """One condition over the seconds judged so far: its record, second by second."""

    metric: str
    node: str
    operator: str
    threshold: float
    record: tuple[Judged, ...] = ()  # every judged second, oldest first

    @property
    def value(self) -> float | None:
        """In the latest judged second (None before any)."""
        return self.record[-1].value if self.record else None

    @property
    def ok(self) -> bool:
        """Held in the latest judged second (True before any)."""
        return self.record[-1].ok if self.record else True

    @property
    def held_s(self) -> int:
        return sum(j.ok for j in self.record)

    @property
    def failed_s(self) -> int:
        return len(self.record) - self.held_s

    @property
    def failed_seconds(self) -> tuple[int, ...]:
        return tuple(j.second for j in self.record if not j.ok)

    @property
    def first_failure_s(self) -> int | None:
        """The first second it failed in (None: it has not failed)."""
        return next((j.second for j in self.record if not j.ok), None)

    @property
    def unmeasured_s(self) -> int:
        """Judged seconds in which its metric had no value (each one failed)."""
        return sum(j.value is None for j in self.record)

    @property
    def worst(self) -> float | None:
        """Its worst value in a judged second: the highest for an upper bound, the lowest
        for a lower bound (None: no second had a value)."""
        values = [j.value for j in self.record if j.value is not None and math.isfinite(j.value)]
        return WORSE[self.operator](values) if values else None

    def judge(self, second: int, value: float | None, ok: bool) -> ConditionStatus:
        """This record with one more judged second."""
        return replace(self, record=(*self.record, Judged(second, value, ok)))


@dataclass(frozen=True, slots=True)
class GoalStatus:
    t: float  # the latest snapshot's time
    conditions: tuple[ConditionStatus, ...]
    checked_s: int  # seconds judged so far
    failed_s: int  # of which some condition did not hold
    done: bool  # the run's last judged second has closed
    first_failure_s: int | None = None  # the first second some condition failed in
    span_s: int = 0  # how many seconds the whole run judges

    @property
    def met(self) -> bool:
        """The run is over, and every judged second met every condition (a second the
        snapshots lost is judged, as failed: ``done`` means all of the span was judged)."""
        return self.done and self.checked_s > 0 and self.failed_s == 0

    @property
    def failing(self) -> bool:
        """Some second already failed: this run can no longer meet the goal."""
        return self.failed_s > 0


class GoalTracker:
    """Judges each closed second of a run once, from ``from_s`` to ``duration_s``."""

    def __init__(
        self, goal: Mapping[str, Any], from_s: float | None = None, duration_s: float = 40.0
    ) -> None:
        self.conditions = tuple(Condition.from_data(c) for c in goal.get("conditions", ()))
        if not self.conditions:
            raise ValueError("a goal needs at least one condition")
        self.from_s = float(goal.get("from_s", DEFAULT_FROM_S) if from_s is None else from_s)
        self.duration_s = float(duration_s)
        self.seconds = judged_seconds(self.from_s, self.duration_s)
        self._last = 0  # the last second looked at (judged or not)
        self._status = GoalStatus(
            0.0,
            tuple(
                ConditionStatus(c.metric, c.node, c.operator, c.threshold) for c in self.conditions
            ),
            0,
            0,
            False,
            span_s=len(self.seconds),
        )

    def observe(self, snapshot: Snapshot) -> GoalStatus:
        """Judge every closed second in ``snapshot`` that has not been judged yet."""
        last = self.seconds.stop - 1
        for point in snapshot.series:
            second = point.second
            if second <= self._last or self._last >= last:
                continue
            for lost in range(self._last + 1, min(second, last + 1)):
                self._judge(lost, None)  # older than the snapshots keep: judged as failed
            self._judge(second, point)
        self._status = replace(self._status, t=snapshot.t, done=self._last >= last)
        return self._status

    def _judge(self, second: int, point: SeriesPoint | None) -> None:
        self._last = second
        if second not in self.seconds:
            return
        status = self._status
        values = [c.value(point) for c in self.conditions]
        oks = [c.holds(v) for c, v in zip(self.conditions, values, strict=True)]
        bad = not all(oks)
        self._status = replace(
            status,
            conditions=tuple(
                record.judge(second, value, ok)
                for record, value, ok in zip(status.conditions, values, oks, strict=True)
            ),
            checked_s=status.checked_s + 1,
            failed_s=status.failed_s + bad,
            first_failure_s=status.first_failure_s or (second if bad else None),
        )

    @property
    def status(self) -> GoalStatus:
        return self._status
