"""The goal tracker judges whole simulated seconds from from_s to the end of the run."""

from __future__ import annotations

import pytest

from architect.sim.snapshot import Latency, NodeKind, NodeSnapshot, NodeStatus, Snapshot
from lessons.goals import GoalTracker, metric_value

GOAL = {
    "from_s": 2,
    "conditions": [{"metric": "p99_ms", "below": 200}, {"metric": "error_rate", "at_most": 0.01}],
}


def node(node_id: str, utilization: float) -> NodeSnapshot:
    return NodeSnapshot(
        node_id, NodeKind.WEB_SERVER, NodeStatus.UP, "m", 8, utilization, 0, 0, 10.0, 140.0, True
    )


def snap(t: float, *, p99: float | None = 100.0, errors: float = 0.0, **extra: object) -> Snapshot:
    latency = None if p99 is None else Latency(p99 / 2, p99 / 3, p99 * 0.9, p99)
    fields: dict[str, object] = {
        "t": t,
        "offered_rps": 100.0,
        "arrivals_rps": 100.0,
        "throughput_rps": 100.0 * (1 - errors),
        "error_rate": errors,
        "latency": latency,
        "nodes": (node("web-1", 0.5), node("db", 0.9)),
        "links": (),
        "series": (),
        "events": (),
        "cost_per_month": 280.0,
        "window_s": 1.0,
    }
    fields.update(extra)
    return Snapshot(**fields)  # type: ignore[arg-type]


def run(
    tracker: GoalTracker, seconds: int, bad: frozenset[int] | set[int] = frozenset(), **kw: object
):
    status = None
    for t in range(1, seconds + 1):
        status = tracker.observe(snap(t, p99=500.0 if t in bad else 100.0, **kw))  # type: ignore[arg-type]
    return status


def test_seconds_before_from_s_are_not_checked():
    """A bad warm-up does not count: seconds 3..10 are checked (the windows after from_s = 2)."""
    status = run(GoalTracker(GOAL, duration_s=10), 10, bad={1, 2})
    assert status.checked_s == 8 and status.failed_s == 0 and status.done and status.met


def test_one_bad_second_fails_the_goal():
    status = run(GoalTracker(GOAL, duration_s=10), 10, bad={7})
    assert status.failed_s == 1 and status.first_failure_s == 7.0 and not status.met
    assert status.conditions[0].failed_s == 1 and status.conditions[1].failed_s == 0


def test_the_goal_is_not_met_before_the_run_ends():
    status = run(GoalTracker(GOAL, duration_s=10), 9)
    assert not status.done and not status.met and status.checked_s == 7


def test_a_second_without_latency_fails_latency_conditions():
    tracker = GoalTracker(GOAL, duration_s=3)
    status = tracker.observe(snap(3.0, p99=None))
    assert status.conditions[0].value is None and not status.conditions[0].ok
    assert status.conditions[1].ok and status.failed_s == 1


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
    status = GoalTracker(goal, duration_s=1).observe(snap(1.0))
    assert (
        status.conditions[0].value == 0.5
        and status.conditions[0].ok is holds
        and status.met is holds
    )


def test_only_snapshots_on_whole_seconds_count():
    """A live sandbox feeds every 0.2 s: each second is judged once."""
    tracker = GoalTracker(GOAL, from_s=0, duration_s=2)
    status = None
    for tick in range(1, 11):
        status = tracker.observe(snap(round(tick * 0.2, 6)))
    assert status is not None and status.checked_s == 2 and status.met


def test_node_metrics_and_missing_nodes():
    s = snap(1.0, hit_ratios=(("cache", 0.8),))
    assert metric_value(s, "utilization", "db") == 0.9
    assert metric_value(s, "max_utilization") == 0.9
    assert metric_value(s, "hit_ratio", "cache") == 0.8
    assert metric_value(s, "hit_ratio", "cdn") is None
    assert metric_value(s, "utilization", "web-9") is None
    assert metric_value(s, "queue_depth") is None  # no message queue
    assert metric_value(s, "p95_ms") == 90.0 and metric_value(s, "cost_per_month") == 280.0


def test_a_goal_needs_conditions():
    with pytest.raises(ValueError):
        GoalTracker({"conditions": []})
    with pytest.raises(ValueError):
        GoalTracker({"conditions": [{"metric": "p98_ms", "below": 1}]})
