"""The log-scale latency histogram: percentiles to ±0.5 %, an exact mean, merging."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from architect.sim.measures.histogram import Histogram, bin_of, bin_value

DRAWS = {
    "exponential": lambda rng: rng.expovariate(1 / 20.0),
    "sub-millisecond": lambda rng: rng.expovariate(1 / 0.3),
    "lognormal": lambda rng: rng.lognormvariate(0.0, 2.0),
    "uniform": lambda rng: rng.uniform(0.5, 500.0),
}


def _filled(values: list[float]) -> Histogram:
    histogram = Histogram()
    for value in values:
        histogram.add(value)
    return histogram


@pytest.mark.parametrize("draw", DRAWS)
def test_percentiles_are_within_half_a_percent(draw: str):
    """A 1 %-wide log bin reported by its geometric middle is within 0.5 % of any value in it."""
    rng = random.Random(draw)
    values = sorted(DRAWS[draw](rng) for _ in range(50_000))
    histogram = _filled(values)
    quantiles = (0.5, 0.9, 0.95, 0.99, 0.999)
    for q, estimate in zip(quantiles, histogram.percentiles(*quantiles), strict=True):
        exact = values[math.ceil(q * len(values)) - 1]
        assert estimate == pytest.approx(exact, rel=0.005), q
    assert histogram.mean() == pytest.approx(statistics.fmean(values), rel=1e-9)


@pytest.mark.parametrize("ms", [0.0015, 0.3, 0.999, 1.0, 1.004, 7.5, 2500.0])
def test_a_value_lies_in_its_bin(ms: float):
    """bin_of and bin_value agree: a value is within half a bin of its bin's middle."""
    assert bin_value(bin_of(ms)) == pytest.approx(ms, rel=0.005)


def test_merge_adds_and_takes_away():
    """Merging with sign -1 undoes merging with sign +1 (the sliding window relies on it)."""
    a, b = _filled([1.0, 2.0, 3.0]), _filled([2.0, 50.0])
    a.merge(b)
    assert a.total == 5
    assert a.sum_ms == pytest.approx(58.0)
    a.merge(b, sign=-1)
    assert a.counts == _filled([1.0, 2.0, 3.0]).counts
    assert a.total == 3


def test_empty_histogram_has_no_percentiles():
    """Nothing recorded: NaN, which the window turns into 'no latency'."""
    assert all(math.isnan(p) for p in Histogram().percentiles(0.5, 0.99))
    assert math.isnan(Histogram().mean())
