"""An estimate poll's bins, checked against the estimate's own rule for a right guess."""

from __future__ import annotations

import pytest

from classrooms.estimates import bins, tally
from lessons.content import estimate_holds


@pytest.mark.parametrize(
    "answer, tolerance", [(4, 0), (8, 0.5), (150, 0.25), (36, 0.1), (1000, 0), (0, 0), (1, 0)]
)
def test_every_guess_lands_in_one_bin_and_the_band_is_exactly_the_right_guesses(
    answer: int, tolerance: float
) -> None:
    estimate = {"answer": answer, "tolerance": tolerance}
    found = bins(estimate)
    for guess in [*range(0, 5 * max(answer, 4)), 1_000_000]:
        holding = [b for b in found if b.holds(guess)]
        assert len(holding) == 1, guess
        assert holding[0].within == estimate_holds(estimate, guess), guess
    assert sum(b.within for b in found) == 1  # the band is one bin
    assert tally(estimate, [answer, answer, 1_000_000]) == [
        2 if b.within else (1 if b.high is None else 0) for b in found
    ]


def test_bins_read_as_ranges_around_the_answer() -> None:
    labels = [b.label for b in bins({"answer": 36, "tolerance": 0.1})]
    assert labels == ["< 12", "12–18", "19–25", "26–32", "33–39", "40–46", "47–53", "54–60", "> 60"]
