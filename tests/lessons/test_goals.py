"""The goal tracker judges each closed simulated second once, from from_s to the end of the run.

Snapshots here are made by hand; their ``series`` holds the closed seconds, as the engine
writes them. How often snapshots come (and where they land) must not matter.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from architect.sim.snapshot import Latency, SeriesPoint, Snapshot
from lessons.goals import GoalStatus, GoalTracker, judged_seconds, metric_value

GOAL = {
    "from_s": 2,
    "conditions": [{"metric": "p99_ms", "below": 200}, {"metric": "error_rate", "at_most": 0.01}],
}


def point(second: int, *, p99: float | None = 100.0, errors: float = 0.0, **extra: object):
    latency = None if p99 is None else Latency(p99 / 2, p99 / 3, p99 * 0.9, p99)
    fields: dict[str, object] = {
        "t": float(second),
        "throughput_rps": 100.0 * (1 - errors),
        "p99_ms": p99,
        "error_rate": errors,
        "offered_rps": 100.0,
        "latency": latency,
        "cost_per_month": 280.0,
        "utilization": (("web-1", 0.5), ("db", 0.9)),
    }
    fields.update(extra)
    return SeriesPoint(**fields)  # type: ignore[arg-type]


def snap(t: float, series: Iterable[SeriesPoint]) -> Snapshot:
    return Snapshot(
        t=t,
        offered_rps=100.0,
        arrivals_rps=100.0,
        throughput_rps=100.0,
        error_rate=0.0,
        latency=None,
        nodes=(),
        links=(),
        series=tuple(series)[-60:],  # the engine keeps the last 60 seconds
        events=(),
        cost_per_month=280.0,
        window_s=1.0,
    )


def history(seconds: int, bad: Iterable[int] = (), p99_bad: float = 500.0) -> list[SeriesPoint]:
    bad = set(bad)
    return [point(n, p99=p99_bad if n in bad else 100.0) for n in range(1, seconds + 1)]


def run(tracker: GoalTracker, points: list[SeriesPoint], every: int = 1) -> GoalStatus:
    """Feed a snapshot after every ``every`` closed seconds (and one at the end)."""
    status = tracker.status
    for end in [*range(every, len(points) + 1, every), len(points)]:
        status = tracker.observe(snap(float(end), points[:end]))
    return status


def test_the_judged_seconds_are_those_whose_window_starts_at_from_s_or_later():
    assert list(judged_seconds(2, 10)) == list(range(3, 11))  # (2, 3] … (9, 10]
    assert list(judged_seconds(0, 3)) == [1, 2, 3]
    assert list(judged_seconds(2.5, 5)) == [4, 5]  # (2, 3] starts before 2.5
    assert GoalTracker(GOAL, duration_s=10).status.span_s == 8


def test_seconds_before_from_s_are_not_checked():
    """A bad warm-up does not count: seconds 3..10 are checked (the windows after from_s = 2)."""
    status = run(GoalTracker(GOAL, duration_s=10), history(10, bad={1, 2}))
    assert status.checked_s == 8 and status.failed_s == 0 and status.done and status.met


def test_one_bad_second_fails_the_goal_and_the_record_says_which():
    status = run(GoalTracker(GOAL, duration_s=10), history(10, bad={7}, p99_bad=480.0))
    assert status.failed_s == 1 and status.first_failure_s == 7 and not status.met
    latency, errors = status.conditions
    assert (latency.failed_s, latency.held_s, latency.first_failure_s) == (1, 7, 7)
    assert latency.failed_seconds == (7,) and latency.worst == 480.0
    assert [j.second for j in latency.record] == list(range(3, 11))
    assert errors.failed_s == 0 and errors.first_failure_s is None and errors.worst == 0.0


def test_the_worst_value_is_the_lowest_for_a_lower_bound():
    goal = {"from_s": 0, "conditions": [{"metric": "throughput_rps", "at_least": 90}]}
    points = [point(n, errors=e) for n, e in enumerate((0.0, 0.3, 0.05), start=1)]
    status = run(GoalTracker(goal, duration_s=3), points)
    (served,) = status.conditions
    assert served.worst == pytest.approx(70.0) and served.failed_seconds == (2,)


def test_the_goal_is_not_met_before_the_run_ends():
    status = run(GoalTracker(GOAL, duration_s=10), history(9))
    assert not status.done and not status.met and status.checked_s == 7


def test_a_second_without_latency_fails_latency_conditions():
    status = run(GoalTracker(GOAL, duration_s=3), [point(1), point(2), point(3, p99=None)])
    latency, errors = status.conditions
    assert latency.value is None and not latency.ok and latency.unmeasured_s == 1
    assert errors.ok and status.failed_s == 1 and not status.met


@pytest.mark.parametrize(
    ("operator", "threshold", "holds"),
    [
        ("below", 0.5, False),
        ("at_most", 0.5, True),
        ("at_least", 0.5, True),
        ("above", 0.5, False),
        ("below", 0.6, True),
        ("above", 0.4, True),
    ],
)
def test_operators_at_the_boundary(operator, threshold, holds):
    goal = {
        "from_s": 0,
        "conditions": [{"metric": "utilization", "node": "web-1", operator: threshold}],
    }
    status = GoalTracker(goal, duration_s=1).observe(snap(1.0, [point(1)]))
    assert status.conditions[0].value == 0.5
    assert status.conditions[0].ok is holds and status.met is holds


@pytest.mark.parametrize("every", [1, 2, 5, 7, 30])
def test_each_closed_second_is_judged_once_however_often_snapshots_come(every):
    """Snapshots every 1, 2, 5, 7 or 30 seconds: the same seconds judged, the same verdict."""
    status = run(GoalTracker(GOAL, duration_s=30), history(30, bad={4, 17, 30}), every)
    assert status.checked_s == 28 and status.failed_s == 3 and status.done
    assert status.conditions[0].failed_seconds == (4, 17, 30)


def test_snapshots_between_whole_seconds_and_repeated_ones_judge_nothing_twice():
    """A live sandbox feeds every 0.2 s, and a paused one the same snapshot again."""
    tracker = GoalTracker(GOAL, from_s=0, duration_s=2)
    points = history(2)
    for tick in range(1, 11):
        t = round(tick * 0.2, 6)
        status = tracker.observe(snap(t, [p for p in points if p.t <= t]))
        status = tracker.observe(snap(t, [p for p in points if p.t <= t]))  # paused
    assert status.checked_s == 2 and status.met


def test_a_second_the_snapshots_no_longer_hold_fails():
    """Past the 60 seconds a snapshot keeps, a second never seen is judged as failed."""
    tracker = GoalTracker({**GOAL, "from_s": 0}, duration_s=100)
    points = history(100)
    tracker.observe(snap(10.0, points[:10]))
    status = tracker.observe(snap(100.0, points))  # seconds 11..40 are gone
    assert status.checked_s == 100 and status.failed_s == 30 and not status.met
    assert status.first_failure_s == 11 and status.conditions[0].unmeasured_s == 30


def test_seconds_past_the_end_are_not_judged():
    status = run(GoalTracker(GOAL, duration_s=5), history(8, bad={6, 7, 8}))
    assert status.checked_s == 3 and status.met


def test_node_metrics_and_missing_nodes():
    p = point(1, hit_ratios=(("cache", 0.8),))
    assert metric_value(p, "utilization", "db") == 0.9
    assert metric_value(p, "max_utilization") == 0.9
    assert metric_value(p, "hit_ratio", "cache") == 0.8
    assert metric_value(p, "hit_ratio", "cdn") is None
    assert metric_value(p, "utilization", "web-9") is None
    assert metric_value(p, "queue_depth") is None  # no message queue
    assert metric_value(point(1, queue_depth=12), "queue_depth") == 12.0
    assert metric_value(p, "p95_ms") == 90.0 and metric_value(p, "cost_per_month") == 280.0


def test_a_goal_needs_conditions():
    with pytest.raises(ValueError):
        GoalTracker({"conditions": []})
    with pytest.raises(ValueError):
        GoalTracker({"conditions": [{"metric": "p98_ms", "below": 1}]})
