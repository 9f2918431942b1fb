"""charts: rolling 60 s polylines scaled to a round maximum."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from architect.sandbox.chart_points import HEIGHT, WIDTH, WINDOW_S, Traces, shift
from architect.sandbox.charts import (
    Mark,
    charts,
    goal_levels,
    nice_ceiling,
    polyline,
    topic_chart,
)
from architect.sandbox.fragments import chart_item, labels
from architect.sim.snapshot import Event, EventKind, SeriesPoint


def on_chart(points: str, moved: str) -> list[tuple[float, float]]:
    """Where each of ``points`` is drawn on the chart once its group is moved ``moved``
    along x (``translate(moved 0)``)."""
    dx = float(moved)
    return [(float(x) + dx, float(y)) for x, y in (p.split(",") for p in points.split())]


def assert_drawn_at(points: str, moved: str, expected: list[tuple[float, float]]) -> None:
    """``points`` moved ``moved`` are drawn at ``expected``, to the tenth they are written to."""
    drawn = on_chart(points, moved)
    assert len(drawn) == len(expected)
    flat = [c for point in expected for c in point]
    assert [c for point in drawn for c in point] == pytest.approx(flat, abs=0.05)


def test_nice_ceiling_rounds_up_to_a_readable_number():
    assert [nice_ceiling(v) for v in (0, 0.4, 7, 11, 230, 4000, 12345)] == [
        1,
        1,
        10,
        20,
        250,
        5000,
        20000,
    ]


def test_the_newest_point_is_at_the_right_edge_and_the_maximum_below_the_top():
    series = [SeriesPoint(float(t), 10.0 * t, None, 0.0) for t in range(1, 11)]
    points, top, latest = polyline(series, lambda p: p.throughput_rps, now=10.0)
    assert on_chart(points, shift(10.0))[-1] == (WIDTH, HEIGHT - 100 / 100 * HEIGHT)
    assert top == 100 and latest == 100


def test_points_older_than_a_minute_are_dropped():
    series = [SeriesPoint(float(t), 1.0, None, 0.0) for t in range(1, 101)]
    points, _, _ = polyline(series, lambda p: p.throughput_rps, now=100.0)
    drawn = on_chart(points, shift(100.0))
    assert len(drawn) == 61
    assert drawn[0][0] == 0.0 and drawn[-1][0] == WIDTH


def test_a_point_is_drawn_at_its_age_and_value_in_every_second_it_is_shown():
    """Each point of each line sits at x = WIDTH × (1 − age / 60 s), y = HEIGHT × (1 −
    value / top), ages and values taken from the series, second after second, as the
    renderer draws them (one ``Traces`` carried from each second to the next)."""
    traces = Traces()
    for end in range(1, 130):
        series = [
            SeriesPoint(float(t), float(t % 17) * 30, 40.0 + t % 5, 0.0, offered_rps=500.0)
            for t in range(1, end + 1)
        ]
        served = {c.key: c for c in charts(series, float(end), traces=traces)}["throughput"]
        shown = [p for p in series if end - p.t <= WINDOW_S]
        top = 500.0  # offered 500 req/s (a nice number), served at most 16 × 30
        assert served.top == top
        assert_drawn_at(
            served.points,
            served.shift,
            [
                (WIDTH * (1 - (end - p.t) / WINDOW_S), HEIGHT * (1 - p.throughput_rps / top))
                for p in shown
            ],
        )
        (offered,) = served.lines
        ages = [end - p.t for p in shown]
        assert_drawn_at(offered.points, served.shift, [(WIDTH * (1 - a / 60), 0.0) for a in ages])


def test_a_second_later_a_line_keeps_its_points_text_and_adds_the_new_one():
    """At absolute time a point's text does not change while it is in the window: the next
    second's points are the last ones without the oldest, plus the new point."""
    series = [SeriesPoint(float(t), float(t % 7), None, 0.0) for t in range(1, 100)]
    before = charts(series[:80], 80.0)[0].points.split()
    after = charts(series[:81], 81.0)[0].points.split()
    assert after[:-1] == before[1:] and len(after) == len(before) == 61


def test_a_chart_whose_picture_did_not_move_is_equal_to_the_last_one():
    """A steady line a second later draws the same picture (its points and shift moved
    together): equal, so the renderer need not send it again; a changed value is not."""
    steady = [SeriesPoint(float(t), 5.0, 40.0, 0.0) for t in range(1, 100)]
    first, second = charts(steady[:80], 80.0), charts(steady[:81], 81.0)
    assert first[0].points != second[0].points and first[0].shift != second[0].shift
    assert first == second
    moved = [*steady[:80], replace(steady[80], throughput_rps=6.0)]
    assert charts(moved, 81.0)[0] != first[0]
    assert charts(moved, 81.0)[1:] == first[1:]


# Windows drawn one after another: (last second, the run's values, their scale, which
# seconds have no p99: none, or every fourth from the second given).
WINDOWS = st.lists(
    st.tuples(
        st.integers(1, 200),
        st.integers(0, 2),
        st.integers(0, 3),
        st.one_of(st.none(), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(seconds=WINDOWS)
def test_lines_carried_from_second_to_second_are_those_drawn_afresh(seconds):
    """The renderer's ``Traces`` reuse a line's kept points only when they still hold, and
    a second's reading only for the same second (the same object, as a run's are):
    windows in any order (forwards, a jump back, a run started again with other values on
    the same scale, or the same values at other times: a steady p99 with other gaps),
    rescaled, give exactly the charts drawn afresh."""
    traces = Traces()
    made: dict[tuple[int, int, int | None, int], SeriesPoint] = {}  # a run's seconds, kept
    for end, run, level, gaps in seconds:
        series = [
            made.setdefault(
                (run, level, gaps, t),
                SeriesPoint(
                    float(t),
                    float((t * (run + 1)) % 11 * 10**level),
                    None if gaps is not None and t % 4 == gaps else 40.0 + t % 3 * run,
                    0.0,
                    utilization=(("web-1", (t % 9) / 10), ("db", (t % (4 + run)) / 10)),
                ),
            )
            for t in range(1, end + 1)
        ]
        carried = charts(series, float(end), traces=traces)
        fresh = charts(series, float(end))
        assert carried == fresh  # the same pictures, scales, latest values, names
        assert [(c.points, c.shift, [ln.points for ln in c.lines]) for c in carried] == [
            (c.points, c.shift, [ln.points for ln in c.lines]) for c in fresh
        ]


def test_missing_latency_leaves_a_gap_and_no_latest_value():
    series = [SeriesPoint(1.0, 1.0, 40.0, 0.0), SeriesPoint(2.0, 1.0, None, 0.0)]
    p99 = charts(series, now=2.0)[1]
    assert p99.key == "latency" and len(p99.points.split()) == 1 and p99.latest is None


def test_the_busiest_nodes_hit_ratios_cost_and_queue_are_charted_when_they_apply():
    """Utilisation: the three busiest nodes at their peak, busiest first, in percent of a
    fixed 100; hit ratios per cache; cost; the queue only when there is one."""
    shares = {"web-1": 0.9, "web-2": 0.5, "db": 0.7, "lb": 0.1}
    series = [
        SeriesPoint(
            float(t),
            1.0,
            1.0,
            0.0,
            utilization=tuple(shares.items()),
            hit_ratios=(("cache", 0.25),),
            cost_per_month=140.0,
            queue_depth=t,
        )
        for t in (1, 2)
    ]
    drawn = {c.key: c for c in charts(series, now=2.0)}
    assert list(drawn) == [
        "throughput",
        "latency",
        "errors",
        "utilization",
        "hits",
        "cost",
        "queue",
    ]
    busy = drawn["utilization"]
    assert busy.name == "web-1" and [line.name for line in busy.lines] == ["db", "web-2"]
    assert busy.top == 100 and busy.latest == 90 and busy.lines[0].latest == 70
    assert drawn["hits"].latest == 25 and drawn["cost"].latest == 140
    assert drawn["queue"].latest == 2
    plain = [SeriesPoint(1.0, 1.0, 1.0, 0.0)]
    assert [c.key for c in charts(plain, now=1.0)] == ["throughput", "latency", "errors", "cost"]


def test_a_goal_is_a_level_line_inside_the_scale():
    """p99 under 300 ms with latencies near 40 ms: the scale reaches the goal, whose line
    sits at 300 / top of the height; an error goal of 0.5 % is drawn in percent."""
    goals = goal_levels([("p99_ms", 300.0), ("error_rate", 0.005), ("sessions_lost", 0)])
    assert goals == {"latency": 300.0, "errors": 0.5}
    drawn = {c.key: c for c in charts([SeriesPoint(1.0, 1.0, 40.0, 0.0)], now=1.0, goals=goals)}
    latency, errors = drawn["latency"], drawn["errors"]
    assert latency.top == 500 and latency.goal_y == f"{HEIGHT - 300 / 500 * HEIGHT:.1f}"
    assert errors.goal == 0.5 and errors.top == 1
    assert drawn["throughput"].goal is None and drawn["throughput"].goal_y == ""


def test_error_chart_is_in_percent():
    errors = charts([SeriesPoint(1.0, 1.0, None, 0.5)], now=1.0)[2]
    assert errors.latest == 50 and errors.top == 50


def test_failures_recoveries_and_changes_are_marked_on_the_time_axis():
    """At t = 70 the window is 10..70 s: an event at 40 s sits half-way along the axis;
    one at 5 s has left the window; each chart carries the same marks."""
    events = (
        Event(t=5.0, kind=EventKind.NODE_FAILED, node="web-1"),
        Event(t=40.0, kind=EventKind.NODE_FAILED, node="web-1"),
        Event(t=55.0, kind=EventKind.NODE_RESTORED, node="web-1"),
        Event(t=70.0, kind=EventKind.TRAFFIC_CHANGED, value=500.0),
        Event(t=70.0, kind=EventKind.NODE_ADDED, node="web-2"),  # same moment, one mark
        Event(t=60.0, kind=EventKind.BACKEND_ADDED, node="lb", peer="web-1"),  # not marked
    )
    drawn = charts([SeriesPoint(70.0, 1.0, 1.0, 0.0)], now=70.0, events=events)
    expected = (
        Mark(f"{WIDTH / 2:.1f}", "failure"),
        Mark(f"{WIDTH * 0.75:.1f}", "recovery"),
        Mark(f"{WIDTH:.1f}", "change"),
    )
    assert all(chart.marks == expected for chart in drawn)


def _queued(t: int, jobs: int | None, **waiting: int) -> SeriesPoint:
    return SeriesPoint(float(t), 1.0, 1.0, 0.0, queue_depth=jobs, queued=tuple(waiting.items()))


def test_the_queue_chart_draws_the_jobs_and_the_deepest_node_queues_with_the_goal():
    """With a message queue: the jobs waiting are the main line (a queue-depth goal is on
    it); the three nodes whose queues were deepest at their peak are the other lines."""
    series = [
        _queued(1, 4, lb=0, **{"web-1": 30, "web-2": 2, "db": 9, "cache": 1}),
        _queued(2, 12, lb=0, **{"web-1": 0, "web-2": 5, "db": 3, "cache": 1}),
    ]
    goals = goal_levels([("queue_depth", 50)])
    queue = {c.key: c for c in charts(series, 2.0, goals=goals)}["queue"]
    assert queue.name == "jobs" and queue.latest == 12 and queue.goal == 50
    assert [line.name for line in queue.lines] == ["web-1", "db", "web-2"]
    assert [line.latest for line in queue.lines] == [0, 3, 5]
    assert queue.top == 50  # the scale reaches the goal (and the deepest queue, 30)


def test_without_a_message_queue_the_deepest_node_queue_is_the_main_line():
    series = [_queued(1, None, **{"web-1": 3, "web-2": 8}), _queued(2, None, **{"web-1": 1})]
    queue = {c.key: c for c in charts(series, 2.0)}["queue"]
    assert queue.name == "web-2" and queue.latest is None  # web-2 left: a gap, no value
    assert [line.name for line in queue.lines] == ["web-1"] and queue.lines[0].latest == 1
    assert queue.goal is None and queue.top == 10


def test_the_charts_a_goal_is_drawn_on_come_first():
    """A row of charts scrolls sideways on a small screen: the goal's charts lead it."""
    series = [_queued(1, 4, **{"web-1": 3})]
    goals = goal_levels([("queue_depth", 100), ("error_rate", 0.005)])
    keys = [c.key for c in charts(series, 1.0, goals=goals)]
    assert keys[:2] == ["errors", "queue"] and set(keys[2:]) == {"throughput", "latency", "cost"}


FAILED_WEB = [{"at": 10.0, "action": "fail", "node": "web-1"}]
CACHED: dict[str, object] = {
    "nodes": [
        {"id": "web-1", "kind": "web_server"},
        {"id": "db", "kind": "database"},
        {"id": "edge", "kind": "cdn"},
    ],
    "events": FAILED_WEB,
}


def test_a_stage_topic_is_what_its_scenario_fails_else_what_its_solution_moves():
    add_web = [{"action": "add_web_server"}]
    assert topic_chart(CACHED, add_web) == "utilization"  # a failed web server: no topic
    failing = {**CACHED, "events": [*FAILED_WEB, {"action": "fail", "node": "edge"}]}
    assert topic_chart(failing, add_web) == "hits"  # the CDN fails: its hit ratio
    assert topic_chart({"nodes": []}, [{"action": "set_traffic"}, {"action": "set_workers"}]) == (
        "queue"
    )
    assert topic_chart({}, [{"action": "set_traffic"}]) == ""


def test_the_stage_topic_chart_follows_the_goals_charts():
    """A cache stage whose goal is on latency and cost: its hit ratio comes third."""
    series = [
        SeriesPoint(
            float(t),
            1.0,
            40.0,
            0.0,
            utilization=(("web-1", 0.5),),
            hit_ratios=(("cache", 0.5),),
            cost_per_month=140.0,
            queue_depth=1,
        )
        for t in range(1, 4)
    ]
    goals = goal_levels([("p99_ms", 300.0), ("cost_per_month", 500.0)])
    keys = [c.key for c in charts(series, 3.0, goals=goals, topic="hits")]
    assert keys[:3] == ["latency", "cost", "hits"]
    assert set(keys[3:]) == {"throughput", "errors", "utilization", "queue"}


def test_a_goal_at_the_top_of_the_scale_has_its_label_below_its_line():
    """$2,000 a month is the top of the cost chart's scale: a label above it is cut off."""
    goals = goal_levels([("cost_per_month", 2000.0), ("p99_ms", 300.0)])
    point = SeriesPoint(1.0, 1.0, 40.0, 0.0, cost_per_month=1730.0)
    drawn = {c.key: c for c in charts([point], 1.0, goals=goals)}
    assert drawn["cost"].top == 2000 and drawn["cost"].goal_dy == "20"
    assert drawn["latency"].top == 500 and drawn["latency"].goal_dy == "-4"


def test_a_young_charts_goal_label_keeps_clear_of_its_data():
    """Issue #14.3: ten seconds into a run the data is at the right of the chart; the goal's
    label (about 0.62 em a character at 20 units) is written where there is none yet."""
    series = [SeriesPoint(float(t), 700.0, 40.0, 0.0) for t in range(51, 61)]
    goals = goal_levels([("throughput_rps", 700.0)])
    served = next(c for c in charts(series, 60.0, goals=goals) if c.key == "throughput")
    item = chart_item(served)
    html = render_to_string("sandbox/sandbox.html#chart", {"item": item, "label": labels("en")})
    found = re.search(r'<text class="axis-label goal-label" x="([\d.]+)"([^>]*)>([^<]*)<', html)
    assert found is not None
    x, attributes, text = float(found[1]), found[2], found[3]
    width = len(text) * 0.62 * 20
    left, right = (x - width, x) if 'text-anchor="end"' in attributes else (x, x + width)
    oldest = min(x for x, _ in on_chart(served.points, served.shift))
    assert left >= 0 and right < oldest
