"""The rolling window: the last second of buckets for the panel, one point per second of history."""

from __future__ import annotations

import pytest

from architect.sim.measures.window import BUCKET_S, HISTORY_S, WINDOW_S, Window


def _close(
    window: Window, buckets: int, *, served: int = 0, failed: int = 0, ms: float = 10.0
) -> None:
    for _ in range(buckets):
        window.current.arrivals += served + failed
        window.current.served += served
        window.current.failed += failed
        for _ in range(served):
            window.current.latency.add(ms)
        window.close_bucket(0.0)


def test_rates_cover_only_the_last_second():
    """After more than a second, older buckets fall out of the rates."""
    window = Window()
    _close(window, 10, served=5)
    _close(window, 10, served=1, failed=1)
    arrivals, served, error_rate = window.rates()
    assert window.span_s == pytest.approx(WINDOW_S)
    assert served == pytest.approx(10 / WINDOW_S)
    assert arrivals == pytest.approx(20 / WINDOW_S)
    assert error_rate == pytest.approx(0.5)


def test_latency_follows_the_window():
    """Percentiles describe the window only: old slow requests are forgotten."""
    window = Window()
    _close(window, 10, served=3, ms=500.0)
    _close(window, 10, served=3, ms=10.0)
    latency = window.latency()
    assert latency is not None
    assert latency.p99_ms == pytest.approx(10.0, rel=0.005)


def test_empty_window_has_no_rates_or_latency():
    """Before the first bucket closes there is nothing to measure."""
    window = Window()
    assert window.rates() == (0.0, 0.0, 0.0)
    assert window.latency() is None


def test_history_has_one_point_per_second_and_is_bounded():
    """One SeriesPoint per simulated second, at most HISTORY_S of them."""
    window = Window()
    per_second = round(1 / BUCKET_S)
    _close(window, per_second * (HISTORY_S + 5), served=2)
    assert len(window.history) == HISTORY_S
    assert window.history[-1].throughput_rps == 2 * per_second
    assert window.history[-1].error_rate == 0.0


def test_cumulative_counts_everything_since_reset():
    """The long-run bucket keeps every closed bucket since the last reset."""
    window = Window()
    _close(window, 30, served=2)
    window.reset_cumulative()
    _close(window, 25, served=1, failed=1)
    assert window.cumulative.served == 25
    assert window.cumulative.failed == 25
    assert window.cumulative.latency.total == 25
