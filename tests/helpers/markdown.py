"""The largest lesson text of one repeated unit the Markdown limits accept: what the
limits' test renders against its work budget and ``bench/lesson_markdown.py`` times."""

from __future__ import annotations

from lessons.markdown_limits import MAX_TEXT_CHARS, markdown_problem


def largest(unit: str, prefix: str = "") -> str:
    """``prefix`` and ``unit`` repeated as often as the limits still accept (a binary
    search on the number of repeats)."""
    low, high = 0, MAX_TEXT_CHARS
    while low < high:
        middle = (low + high + 1) // 2
        if markdown_problem(prefix + unit * middle) is None:
            low = middle
        else:
            high = middle - 1
    return prefix + unit * low
