"""One goal condition's run as a small chart: its value in each judged second, the goal
line, and the seconds it failed in marked.

Plain numbers for an ``<svg>`` (``templates/lessons/stage.html#goal``); the x axis is the
run's judged span (not a rolling window), so the whole record stays in view.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.goals import ConditionStatus

WIDTH = 240.0
HEIGHT = 40.0
HEADROOM = 1.25  # the top of the scale above the highest value (or the goal line)


@dataclass(frozen=True, slots=True)
class GoalChart:
    points: str  # for ``<polyline points=...>``: the seconds that had a value
    goal_y: float  # where the goal line is drawn
    failed: tuple[tuple[float, float], ...]  # (x, width) of each failed second's band
    top: float  # the value at the top edge


def goal_chart(c: ConditionStatus, first: int, last: int) -> GoalChart:
    """The chart of ``c`` over the judged seconds ``first`` … ``last``."""
    seconds = max(last - first + 1, 1)
    step = WIDTH / seconds
    known = [j.value for j in c.record if j.value is not None]
    top = max([*known, c.threshold], default=0.0) * HEADROOM or 1.0

    def x(second: int) -> float:  # the middle of the second's band
        return (second - first + 0.5) * step

    def y(value: float) -> float:
        return HEIGHT - min(max(value, 0.0), top) / top * HEIGHT

    points = " ".join(
        f"{x(j.second):.1f},{y(j.value):.1f}" for j in c.record if j.value is not None
    )
    failed = tuple(((second - first) * step, step) for second in c.failed_seconds)
    return GoalChart(points, round(y(c.threshold), 1), failed, top)
