"""A plan text's problems, as the editor shows them: line, place and reason, translated.

The same loader as ``manage.py load_lessons`` (``lessons.format.load_plan``): its limits,
its safe YAML (no code, no anchors, plain data only) and its Markdown checks.
"""

from __future__ import annotations

import functools
import hashlib
from typing import TypedDict

from architect.problem_text import reason_text
from lessons import content
from lessons.format import PlanError, load_plan

SOURCE = "plan.yaml"  # how a browser-written plan is named in ``file:line`` problems


class Problem(TypedDict):
    line: int
    where: str
    message: str


def normalise(text: str) -> str:
    """Browsers submit a textarea's line breaks as CRLF; plans keep LF."""
    return text.replace("\r\n", "\n")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.lru_cache(maxsize=16)
def _load(text: str) -> content.Plan | PlanError:
    """Each text is loaded once (the editor asks again as it autosaves, previews, checks):
    the shipped 1,800-line plan takes ~0.7 s to load."""
    try:
        return load_plan(text, source=SOURCE)
    except PlanError as error:
        return error


def parse(text: str) -> tuple[content.Plan | None, list[Problem]]:
    """The loaded plan, or None and every problem in the active language."""
    loaded = _load(text)
    if isinstance(loaded, content.Plan):
        return loaded, []
    return None, [
        {
            "line": max(problem.line, 1),
            "where": problem.path,
            "message": reason_text(problem.reason, problem.params),
        }
        for problem in loaded.details
    ]
