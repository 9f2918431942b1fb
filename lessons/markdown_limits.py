"""How much Markdown a lesson text may hold, so that rendering it stays cheap (no Django).

Python-Markdown's cost is linear in plain prose but not in everything: each ``[``
scans ahead for its ``]`` and ``(…)``, each ``<`` for its ``>``, each line of a block
re-splits the rest of the block, and each emphasis, code or escape character costs
tens of microseconds. Unchecked, 20,000 ``[`` took 59 s. The plan loader
(``lessons.format``) reports a text beyond these limits as a problem, and
``lessons.markdown`` shows such a text as plain text instead of parsing it. Within
them the worst input found renders in well under 100 ms (``bench/lesson_markdown.py``).
"""

from __future__ import annotations

import re

from architect.sim.text import N_, Params

MAX_TEXT_CHARS = 5_000
MAX_LINES = 200
MAX_BRACKETS = 50  # "[": links, images, references
MAX_ANGLES = 50  # "<": tags and autolinks
MAX_MARKUP = 600  # characters that start inline markup
MAX_NESTING = 8  # quote levels (">") or list levels (4 columns of indentation each)
# A link's text, and its destination with its title, are looked for this far at most;
# past it, the brackets are left as written.
LINK_SCAN_CHARS = 500

MARKUP = frozenset("*_`\\|&[<!")
# The indentation, then the quote and list markers a line starts with ("> - 1. ").
_INDENT = re.compile(r"[ \t]*")
_MARKER = re.compile(r"(?:>|[-*+](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))[ \t]*")


def nesting(line: str) -> int:
    """How deep a line nests: its indentation in 4-column levels plus its quote and list
    markers (``> - 1. text`` is three levels)."""
    indent = _INDENT.match(line)
    at = indent.end() if indent else 0
    depth = sum(4 if char == "\t" else 1 for char in line[:at]) // 4
    while (marker := _MARKER.match(line, at)) is not None:
        depth, at = depth + 1, marker.end()
    return depth


def markdown_problem(text: str) -> tuple[str, Params] | None:
    """Why ``text`` is too costly to render as Markdown (a reason and its values), or None."""
    if len(text) > MAX_TEXT_CHARS:
        return (
            N_("is %(length)s characters long; a text may be at most %(limit)s"),
            {"length": len(text), "limit": MAX_TEXT_CHARS},
        )
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        return (
            N_("has %(count)s lines; a text may have at most %(limit)s"),
            {"count": len(lines), "limit": MAX_LINES},
        )
    for char, limit in (("[", MAX_BRACKETS), ("<", MAX_ANGLES)):
        if text.count(char) > limit:
            return (
                N_("has %(count)s “%(char)s”; a text may have at most %(limit)s"),
                {"count": text.count(char), "char": char, "limit": limit},
            )
    markup = sum(text.count(char) for char in MARKUP)
    if markup > MAX_MARKUP:
        return (
            N_("has %(count)s markup characters (%(chars)s); a text may have at most %(limit)s"),
            {"count": markup, "chars": " ".join(sorted(MARKUP)), "limit": MAX_MARKUP},
        )
    for number, line in enumerate(lines, start=1):
        depth = nesting(line)
        if depth > MAX_NESTING:
            return (
                N_(
                    "line %(line)s nests %(depth)s levels deep; quotes and lists may nest "
                    "at most %(limit)s"
                ),
                {"line": number, "depth": depth, "limit": MAX_NESTING},
            )
    return None
