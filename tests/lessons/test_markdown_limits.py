"""Lesson Markdown on hostile input: refused past the limits, bounded work within them.

Work is counted, not timed: every Python line and call the renderer runs is one trace
event (``sys.settrace``). The figures in milliseconds are in bench/lesson_markdown.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import markdown
import pytest

from lessons import markdown as lesson_markdown
from lessons.format import PlanError, load_plan
from lessons.markdown import render_markdown
from lessons.markdown_limits import (
    LINK_SCAN_CHARS,
    MAX_ANGLES,
    MAX_BRACKETS,
    MAX_LINES,
    MAX_MARKUP,
    MAX_TEXT_CHARS,
    markdown_problem,
    nesting,
)

from helpers.markdown import largest

FIXTURES = Path(__file__).parent / "fixtures"

# About 100 ms of rendering on the 2-core CI machine (bench/lesson_markdown.py: the
# slowest accepted text takes 0.65 M events and 40–50 ms there).
WORK_BUDGET = 1_000_000

# The slowest shapes found (bench/lesson_markdown.py lists them all).
HOSTILE_UNITS = ["[", "[x](", "[\\]", "_a_ ", "*_", "- > - > - > - > a\n", "| 1 | 2 |\n", "- "]
# Alone, and after as many "[" as allowed (each may scan ahead), for units without "[".
HOSTILE = [(unit, "") for unit in HOSTILE_UNITS] + [
    (unit, "[" * MAX_BRACKETS) for unit in HOSTILE_UNITS if "[" not in unit
]


def work(render: Callable[[str], object], text: str) -> int:
    """Trace events (lines, calls, returns) while ``render(text)`` runs."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        render(text)
    finally:
        sys.settrace(None)
    return count


def plain_markdown(text: str) -> str:
    """Python-Markdown as it was used before the limits."""
    return markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"])


uncached = lesson_markdown._render.__wrapped__


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * (MAX_TEXT_CHARS + 1), "is 5001 characters long; a text may be at most 5000"),
        ("a\n" * MAX_LINES, "has 201 lines; a text may have at most 200"),
        ("[" * (MAX_BRACKETS + 1), "has 51 “[”; a text may have at most 50"),
        ("<a " * (MAX_ANGLES + 1), "has 51 “<”; a text may have at most 50"),
        (
            "*a" * (MAX_MARKUP + 1),
            "has 601 markup characters (! & * < [ \\ _ ` |); a text may have at most 600",
        ),
        (
            "ok\n" + "> " * 9 + "deep",
            "line 2 nests 9 levels deep; quotes and lists may nest at most 8",
        ),
        ("- " * 9 + "deep", "line 1 nests 9 levels deep; quotes and lists may nest at most 8"),
        (" " * 36 + "deep", "line 1 nests 9 levels deep; quotes and lists may nest at most 8"),
    ],
)
def test_texts_past_the_limits_are_refused_with_the_reason(text, expected):
    problem = markdown_problem(text)
    assert problem is not None
    reason, params = problem
    assert reason % params == expected


def test_nesting_counts_indentation_quotes_and_list_markers():
    assert nesting("plain words") == 0
    assert nesting("> quoted") == 1
    assert nesting("> - 1. three levels") == 3
    assert nesting("        - indented twice, then a list") == 3
    assert nesting("\t\t- tabs are four columns") == 3
    assert nesting("-not a marker") == 0
    assert nesting("**bold** is not a list") == 0


def test_the_shipped_plans_are_within_the_limits():
    assert (
        markdown_problem("Words with **bold**, a [link](https://example.org) and `code`.") is None
    )
    # The loader applies the same limits: a shipped plan that broke them would not load.
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
    assert load_plan(text, source="tiny.yaml").stages


def test_the_plan_loader_reports_a_costly_text_on_its_line():
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
    costly = "[" * (MAX_BRACKETS + 1)
    text = text.replace(
        '    body: {en: "web-1 fails at 10 s.", ko: "web-1이 10초에 멈춥니다."}\n',
        f'    body: {{en: "{costly}", ko: 짧음}}\n',
    )
    with pytest.raises(PlanError) as caught:
        load_plan(text, source="tiny.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "tiny.yaml:50: stages[1].body.en: has 51 “[”; a text may have at most 50"
    ]


@pytest.mark.parametrize(("unit", "prefix"), HOSTILE)
def test_the_largest_accepted_hostile_text_renders_within_the_work_budget(unit, prefix):
    text = largest(unit, prefix)
    assert len(text) > len(prefix), "the limits accept some of it"
    assert markdown_problem(text) is None
    assert work(uncached, text) <= WORK_BUDGET


def test_the_budget_would_catch_unbounded_link_scans():
    """Without the bounded scans, 50 links in a long paragraph cost several times the budget."""
    text = "[x](" * MAX_BRACKETS + "a" * (MAX_TEXT_CHARS - 4 * MAX_BRACKETS)
    assert markdown_problem(text) is None
    assert work(plain_markdown, text) > 2 * WORK_BUDGET
    assert work(uncached, text) <= WORK_BUDGET


def test_a_text_past_the_limits_is_shown_as_written_at_little_cost():
    text = "[" * 20_000 + "<script>"
    assert work(uncached, text) < 5_000  # not parsed: 20,000 "[" took 59 s before
    html = render_markdown(text)
    assert html.startswith("<p>[[[") and "&lt;script&gt;" in html and "<script" not in html


def test_a_link_longer_than_the_scan_stays_as_written():
    short = render_markdown("[docs](https://example.org/a)")
    assert '<a href="https://example.org/a" rel="noopener noreferrer">docs</a>' in short
    long_text = "w " * LINK_SCAN_CHARS
    html = render_markdown(f"[{long_text}](https://example.org/a)")
    assert "<a " not in html and html.startswith("<p>[w w")


def test_each_text_is_rendered_once(monkeypatch):
    calls = []
    real = markdown.markdown

    def counting(text: str, **options: Any) -> str:
        calls.append(text)
        return real(text, **options)

    monkeypatch.setattr("lessons.markdown._markdown.markdown", counting)
    text = "A text rendered **once** per version of its plan (unique: 7f3a)."
    first = render_markdown(text)
    again = render_markdown(str(text))  # an equal text from another row or request
    assert first == again and calls == [text]
    render_markdown(text + " Changed.")
    assert calls == [text, text + " Changed."]
