"""Benchmark lesson Markdown on hostile input: the slowest render within the limits.

Run from the repository root:  python bench/lesson_markdown.py [--before]
Each family repeats one unit as often as ``lessons.markdown_limits`` allows (the
largest text the plan loader accepts), then renders it uncached, best of 3.
``--before`` also renders a few families with plain Python-Markdown and no limits,
at 2,000 characters (20,000 ``[`` took 59 s there).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")

import django  # noqa: E402

django.setup()

import markdown  # noqa: E402

from lessons.markdown import _render  # noqa: E402

from helpers.markdown import largest  # noqa: E402  (the limits' test searches the same way)

# Units repeated up to the limits: brackets, tags, emphasis, escapes, blocks, nesting.
UNITS = [
    "[",
    "[\\]",
    "[x](",
    "[x](a",
    "![",
    "[a",
    "[[]](",
    "<a ",
    "<http://",
    "<a@",
    "*_",
    "*a",
    "_a_ ",
    "**a** ",
    "`a",
    "\\",
    "&a;",
    "|",
    "-\n",
    "a\n=\n",
    "# a\n",
    "---\n",
    "a\n\n",
    "- a\n",
    "| 1 | 2 |\n",
    "|1\n",
    ">>>>>>>> a\n",
    "- > - > - > - > a\n",
    "                                - a\n",
    "```\na\n```\n",
    "- ",
    "1. ",
    "- > ",
    "* - + ",
    "Plain words in a sentence that goes on and on. ",
    "Words with **bold**, a [link](https://example.org/a) and `code`. ",
]
PREFIXES = ["", "[x](" + "(" * 60, "[" * 50, "<a " * 50]


def best_of(render: Callable[[str], object], text: str, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render(text)
        times.append(time.perf_counter() - start)
    return min(times)


def plain(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", action="store_true", help="also time unlimited rendering")
    args = parser.parse_args()
    uncached = _render.__wrapped__
    rows = []
    for prefix in PREFIXES:
        for unit in UNITS:
            text = largest(unit, prefix)
            if text:
                rows.append(
                    (best_of(uncached, text), prefix[:6] + "…" if prefix else "", unit, text)
                )
    rows.sort(reverse=True)
    print("slowest renders within the limits (ms, best of 3):")
    for seconds, prefix, unit, text in rows[:12]:
        print(f"  {seconds * 1000:7.1f}  {prefix}{unit!r:<40} {len(text):>5} chars")
    if args.before:
        print("without limits (plain Python-Markdown), 2,000 characters:")
        for unit in ("[", "[\\]", "<a ", "-\n", "a\n=\n"):
            text = unit * (2_000 // len(unit))
            print(f"  {best_of(plain, text, 1) * 1000:7.1f}  {unit!r}")


if __name__ == "__main__":
    main()
