"""What is wrong with a topology (or an action), each problem with its path and reason.

A reason is an English template marked with ``N_`` (``architect.sim.text``);
``Problem.message`` is the English text and ``architect.problem_text`` gives it
in the user's language. ``architect.sim.model.topology`` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from architect.sim.text import N_, Params, render

# Reasons used in many places.
POSITIVE = N_("must be a positive number")
ZERO_OR_MORE = N_("must be zero or more")
WHOLE_1_OR_MORE = N_("must be a whole number of 1 or more")
A_NUMBER = N_("must be a number")
A_WHOLE_NUMBER = N_("must be a whole number")
TEXT = N_("must be text")
TRUE_OR_FALSE = N_("must be true or false")
NOT_A_FIELD = N_("is not a known field")
MISSING = N_("is missing")
NODE_ID_TEXT = N_("must be a node id (1–32 lower-case letters, digits or dashes)")
CENTER_TEXT = N_("must be a data center name (lower-case letters, digits, dashes)")
BETWEEN = N_("must be between %(low)s and %(high)s")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a topology: where, and why in plain words.

    ``reason`` is an English template marked with ``N_`` and ``params`` fill
    it (``architect.sim.text``): ``message`` is the English text, and
    ``architect.problem_text`` gives it in the user's language.
    """

    path: str
    reason: str
    params: Params = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        return render(self.reason, self.params)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def one_of(path: str, choices: tuple[str, ...] | list[str]) -> Problem:
    """``path: must be one of a, b, c``."""
    return Problem(path, N_("must be one of %(choices)s"), {"choices": ", ".join(choices)})


def between(path: str, low: float, high: float) -> Problem:
    """``path: must be between low and high``."""
    return Problem(path, BETWEEN, {"low": low, "high": high})


class TopologyError(ValueError):
    """A topology with problems; all of them are listed at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
