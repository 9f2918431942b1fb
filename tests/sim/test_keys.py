"""Zipf keys: draws follow P(k) ∝ 1/(k+1)^s, uniform at s = 0, repeatable per seed."""

from __future__ import annotations

import math
from random import Random

import pytest

from architect.sim.engine.keys import ZipfKeys

DRAWS = 200_000


def _counts(keys: ZipfKeys, draws: int = DRAWS) -> list[int]:
    counts = [0] * keys.n
    for _ in range(draws):
        counts[keys.draw()] += 1
    return counts


def test_probabilities_follow_the_power_law_and_sum_to_one():
    """P(k) / P(0) = (k+1)^-s, and P(0) = 1 / H(n, s), the generalised harmonic number."""
    keys = ZipfKeys(1_000, 1.2, Random(1))
    harmonic = math.fsum((k + 1) ** -1.2 for k in range(1_000))
    assert keys.probability(0) == pytest.approx(1 / harmonic, rel=1e-12)
    assert keys.probability(9) / keys.probability(0) == pytest.approx(10**-1.2, rel=1e-12)
    assert math.fsum(keys.probabilities()) == pytest.approx(1.0, rel=1e-12)
    assert keys.probability(-1) == keys.probability(1_000) == 0.0


@pytest.mark.parametrize("s", [0.8, 1.0, 1.2])
def test_the_top_keys_are_drawn_as_often_as_theory_says(s):
    """Over 200k draws each of the top 5 keys lands within 5 % of n·P(k).

    The binomial standard deviation is at most ~1.5 % of the expected count here
    (key 4 at s = 0.8 expects ~2,700 draws), so 5 % is beyond 3 sigma.
    """
    keys = ZipfKeys(10_000, s, Random(7))
    counts = _counts(keys)
    for k in range(5):
        expected = DRAWS * keys.probability(k)
        assert counts[k] == pytest.approx(expected, rel=0.05), k


def test_the_whole_distribution_passes_a_chi_square_bound():
    """Pearson's statistic over 50 keys stays below df + 4·sqrt(2·df) (mean df, sd sqrt(2·df))."""
    keys = ZipfKeys(50, 1.0, Random(3))
    counts = _counts(keys)
    chi2 = sum(
        (c - DRAWS * p) ** 2 / (DRAWS * p)
        for c, p in zip(counts, keys.probabilities(), strict=True)
    )
    df = keys.n - 1
    assert chi2 < df + 4 * math.sqrt(2 * df)


def test_skew_zero_is_uniform():
    """s = 0 gives every key 1/n: chi-square within bounds and no count off by more than 10 %."""
    keys = ZipfKeys(100, 0, Random(5))
    assert keys.probability(0) == keys.probability(99) == pytest.approx(0.01)
    counts = _counts(keys)
    expected = DRAWS / keys.n
    chi2 = sum((c - expected) ** 2 / expected for c in counts)
    df = keys.n - 1
    assert chi2 < df + 4 * math.sqrt(2 * df)
    assert max(abs(c - expected) for c in counts) < 0.1 * expected  # sd ≈ 2.2 %


def test_the_same_seed_draws_the_same_keys():
    """Determinism: draws depend only on the Random passed in."""
    first = ZipfKeys(100_000, 1.1, Random(42))
    second = ZipfKeys(100_000, 1.1, Random(42))
    other = ZipfKeys(100_000, 1.1, Random(43))
    a = [first.draw() for _ in range(1_000)]
    assert a == [second.draw() for _ in range(1_000)]
    assert a != [other.draw() for _ in range(1_000)]


def test_the_largest_key_space_draws_in_range():
    """n = 1,000,000 at the steepest skew: every draw is a valid key, mostly key 0 (P ≈ 0.83)."""
    keys = ZipfKeys(1_000_000, 3.0, Random(1))
    draws = [keys.draw() for _ in range(10_000)]
    assert all(0 <= k < 1_000_000 for k in draws)
    assert draws.count(0) / len(draws) == pytest.approx(1 / 1.2020569, abs=0.02)  # 1 / zeta(3)


@pytest.mark.parametrize(
    ("n", "s", "message"),
    [
        (0, 1.0, "number of keys"),
        (1_000_001, 1.0, "number of keys"),
        (10, -0.1, "skew"),
        (10, 3.5, "skew"),
    ],
)
def test_out_of_range_settings_are_refused(n, s, message):
    with pytest.raises(ValueError, match=message):
        ZipfKeys(n, s, Random(0))
