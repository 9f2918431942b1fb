"""Lesson plan problems in the user's language: ``file:line: path: reason``."""

from __future__ import annotations

from architect.problem_text import reason_text
from lessons.format import PlanError, PlanProblem


def plan_problem_text(problem: PlanProblem) -> str:
    """One plan problem, its file, line and path kept, its reason translated."""
    return f"{problem.where}: {reason_text(problem.reason, problem.params)}"


def plan_error_text(error: PlanError) -> str:
    """Every problem of a plan, one a line."""
    return "\n".join(map(plan_problem_text, error.details))
