"""Rolling measures: short buckets of simulated time, a window and a history.

Rates and percentiles on the live panel cover the last ``WINDOW_S`` seconds;
the history keeps one point per simulated second for the charts.
"""

from __future__ import annotations

from collections import deque

from architect.sim.measures.histogram import Histogram
from architect.sim.snapshot import Latency, SeriesPoint

BUCKET_S = 0.1
WINDOW_S = 1.0
HISTORY_S = 60
_BUCKETS_PER_WINDOW = round(WINDOW_S / BUCKET_S)
_BUCKETS_PER_SECOND = round(1.0 / BUCKET_S)
assert _BUCKETS_PER_SECOND == _BUCKETS_PER_WINDOW  # close_bucket's history points rely on it


class Bucket:
    """What happened during one short stretch of simulated time.

    A request served in per-request mode only appends its latency to
    ``samples`` (a list append costs a fraction of a histogram insert);
    ``settle`` counts and bins them when the bucket closes.
    """

    __slots__ = ("arrivals", "failed", "latency", "samples", "served")

    def __init__(self) -> None:
        self.arrivals = 0
        self.served = 0
        self.failed = 0
        self.latency = Histogram()
        self.samples: list[float] = []  # latencies (ms) of served requests not yet counted

    def settle(self) -> None:
        """Count the pending samples as served and bin them."""
        samples = self.samples
        if samples:
            self.served += len(samples)
            self.latency.add_all(samples)
            self.samples = []

    def add(self, other: Bucket, sign: int = 1) -> None:
        self.arrivals += sign * other.arrivals
        self.served += sign * other.served
        self.failed += sign * other.failed
        self.latency.merge(other.latency, sign)


class Window:
    """The current bucket, a sliding window of closed ones, and a history."""

    def __init__(self) -> None:
        self.current = Bucket()
        self.closed: deque[Bucket] = deque()
        self.total = Bucket()  # sum of ``closed``
        self.buckets_in_second = 0  # closed since the last history point
        self.history: deque[SeriesPoint] = deque(maxlen=HISTORY_S)
        # Every closed bucket since the last ``reset_cumulative``: for long-run
        # measures (queueing-theory tests, benchmarks), not for the panel.
        self.cumulative = Bucket()

    def reset_cumulative(self) -> None:
        """Start the long-run measures afresh (after a warm-up, say)."""
        self.cumulative = Bucket()

    def close_bucket(self, now: float) -> bool:
        """End the current bucket at simulated time ``now``; True when it closed a whole
        second (whose point is then ``history[-1]``)."""
        bucket = self.current
        bucket.settle()
        self.closed.append(bucket)
        self.total.add(bucket)
        if len(self.closed) > _BUCKETS_PER_WINDOW:
            self.total.add(self.closed.popleft(), sign=-1)
        self.cumulative.add(bucket)
        self.buckets_in_second += 1
        if self.buckets_in_second == _BUCKETS_PER_SECOND:
            # The window is one second long and closes in step with the history:
            # its buckets are exactly this second's (no second sum to keep).
            self.history.append(_point(now, self.total))
            self.buckets_in_second = 0
            self.current = Bucket()
            return True
        self.current = Bucket()
        return False

    @property
    def span_s(self) -> float:
        return len(self.closed) * BUCKET_S

    def rates(self) -> tuple[float, float, float]:
        """(arrivals/s, served/s, error rate) over the window."""
        span = self.span_s
        if not span:
            return 0.0, 0.0, 0.0
        total = self.total
        return total.arrivals / span, total.served / span, _error_rate(total)

    def latency(self) -> Latency | None:
        return _latency(self.total)


def _error_rate(bucket: Bucket) -> float:
    done = bucket.served + bucket.failed
    return bucket.failed / done if done else 0.0


def _latency(bucket: Bucket) -> Latency | None:
    histogram = bucket.latency
    if not histogram.total:
        return None
    p50, p95, p99 = histogram.percentiles(0.5, 0.95, 0.99)
    return Latency(mean_ms=histogram.mean(), p50_ms=p50, p95_ms=p95, p99_ms=p99)


def _point(now: float, second: Bucket) -> SeriesPoint:
    """One second's figures from its buckets (the engine adds the rest: ``describe``)."""
    latency = _latency(second)
    return SeriesPoint(
        t=round(now, 6),
        throughput_rps=float(second.served),
        p99_ms=None if latency is None else latency.p99_ms,
        error_rate=_error_rate(second),
        latency=latency,
    )
