"""charts: rolling 60 s polylines scaled to a round maximum."""

from __future__ import annotations

from architect.sandbox.charts import HEIGHT, WIDTH, charts, nice_ceiling, polyline
from architect.sim.snapshot import SeriesPoint


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
    last = points.split()[-1]
    assert last == f"{WIDTH:.1f},{HEIGHT - 100 / 100 * HEIGHT:.1f}"
    assert top == 100 and latest == 100


def test_points_older_than_a_minute_are_dropped():
    series = [SeriesPoint(float(t), 1.0, None, 0.0) for t in range(1, 101)]
    points, _, _ = polyline(series, lambda p: p.throughput_rps, now=100.0)
    assert len(points.split()) == 61
    assert points.split()[0].startswith("0.0,")


def test_missing_latency_leaves_a_gap_and_no_latest_value():
    series = [SeriesPoint(1.0, 1.0, 40.0, 0.0), SeriesPoint(2.0, 1.0, None, 0.0)]
    p99 = charts(series, now=2.0)[1]
    assert p99.key == "p99" and len(p99.points.split()) == 1 and p99.latest is None


def test_error_chart_is_in_percent():
    errors = charts([SeriesPoint(1.0, 1.0, None, 0.5)], now=1.0)[2]
    assert errors.latest == 50 and errors.top == 50
