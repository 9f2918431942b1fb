"""architect.sim.text: reasons are English templates; their English text is filled in here."""

from __future__ import annotations

from architect.sim.model.problems import Problem, between
from architect.sim.text import N_, Text, render


def test_the_marker_changes_nothing():
    assert N_("must be a number") == "must be a number"


def test_numbers_are_written_without_needless_digits():
    assert (
        str(between("traffic.keys", 1, 1_000_000)) == "traffic.keys: must be between 1 and 1000000"
    )
    assert between("x", 0.05, 86_400.0).message == "must be between 0.05 and 86400"


def test_a_nested_phrase_is_filled_first():
    where = Text(N_("shard %(shard)s in data center %(center)s"), {"shard": 2, "center": "asia"})
    problem = Problem("nodes", N_("%(where)s needs exactly one primary database"), {"where": where})
    assert str(problem) == "nodes: shard 2 in data center asia needs exactly one primary database"


def test_a_reason_without_parameters_is_left_as_it_is():
    """No ``%`` formatting without parameters: a literal ``%`` stays."""
    assert render("at most 95 % busy", {}) == "at most 95 % busy"
