"""Is a stage's goal met? Checked live, one simulated second at a time.

Pure Python over the engine's ``Snapshot`` (imports ``architect.sim`` only), so
the sandbox, the stage page and ``check_lessons`` judge alike::

    tracker = GoalTracker(stage.goal, duration_s=40)
    status = tracker.observe(sim.advance(1.0))

Every condition must hold in every whole simulated second from ``from_s`` to
the end of the run. A metric without a value (no completed request, a node
that does not exist) fails its condition in that second.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from architect.sim.snapshot import Snapshot

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
DEFAULT_FROM_S = 5.0
_WHOLE = 1e-3  # a snapshot this close to a whole second closes that second


def metric_value(snapshot: Snapshot, metric: str, node: str = "") -> float | None:
    """One metric from a snapshot (over its 1-second window); None when it has no value."""
    latency = snapshot.latency
    match metric:
        case "throughput_rps" | "offered_rps" | "error_rate" | "cost_per_month":
            return float(getattr(snapshot, metric))
        case "lost_writes" | "sessions_lost" | "stale_reads":
            return float(getattr(snapshot, metric))
        case "mean_ms" | "p50_ms" | "p95_ms" | "p99_ms":
            return None if latency is None else float(getattr(latency, metric))
        case "utilization":
            return next((n.utilization for n in snapshot.nodes if n.id == node), None)
        case "max_utilization":
            return max((n.utilization for n in snapshot.nodes), default=0.0)
        case "hit_ratio":
            return dict(snapshot.hit_ratios).get(node)
        case "queue_depth":
            return None if snapshot.jobs is None else float(snapshot.jobs.depth)
    raise ValueError(f'unknown metric "{metric}"')


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


@dataclass(frozen=True, slots=True)
class ConditionStatus:
    metric: str
    node: str
    operator: str
    threshold: float
    value: float | None  # in the latest snapshot
    ok: bool  # holds in the latest snapshot
    failed_s: int = 0  # checked seconds in which it did not hold


@dataclass(frozen=True, slots=True)
class GoalStatus:
    t: float
    conditions: tuple[ConditionStatus, ...]
    checked_s: int  # whole seconds checked so far
    failed_s: int  # of which some condition did not hold
    done: bool  # the run reached duration_s
    first_failure_s: float | None = None  # the end of the first failed second

    @property
    def met(self) -> bool:
        """The run is over, and every checked second met every condition."""
        return self.done and self.checked_s > 0 and self.failed_s == 0

    @property
    def failing(self) -> bool:
        """Some second already failed: this run can no longer meet the goal."""
        return self.failed_s > 0


class GoalTracker:
    """Feeds on snapshots; judges each whole second from ``from_s`` to ``duration_s``."""

    def __init__(
        self, goal: Mapping[str, Any], from_s: float | None = None, duration_s: float = 40.0
    ) -> None:
        self.conditions = tuple(Condition.from_data(c) for c in goal.get("conditions", ()))
        if not self.conditions:
            raise ValueError("a goal needs at least one condition")
        self.from_s = float(goal.get("from_s", DEFAULT_FROM_S) if from_s is None else from_s)
        self.duration_s = float(duration_s)
        self._last_second = 0
        self._checked = 0
        self._failed = 0
        self._failed_by = [0] * len(self.conditions)
        self._first_failure: float | None = None
        self._status = GoalStatus(0.0, (), 0, 0, False)

    def observe(self, snapshot: Snapshot) -> GoalStatus:
        """Judge ``snapshot``: it counts when it closes a whole second past ``from_s``."""
        values = [metric_value(snapshot, c.metric, c.node) for c in self.conditions]
        oks = [c.holds(v) for c, v in zip(self.conditions, values, strict=True)]
        second = round(snapshot.t)
        closes = abs(snapshot.t - second) <= _WHOLE and second > self._last_second
        if closes and second - 1 >= self.from_s - _WHOLE and second <= self.duration_s + _WHOLE:
            self._last_second = second
            self._checked += 1
            if not all(oks):
                self._failed += 1
                self._first_failure = (
                    self._first_failure if self._first_failure is not None else float(second)
                )
            self._failed_by = [n + (not ok) for n, ok in zip(self._failed_by, oks, strict=True)]
        conditions = tuple(
            ConditionStatus(c.metric, c.node, c.operator, c.threshold, v, ok, failed)
            for c, v, ok, failed in zip(self.conditions, values, oks, self._failed_by, strict=True)
        )
        done = snapshot.t >= self.duration_s - _WHOLE
        self._status = GoalStatus(
            snapshot.t, conditions, self._checked, self._failed, done, self._first_failure
        )
        return self._status

    @property
    def status(self) -> GoalStatus:
        return self._status
