"""Markdown → safe HTML for lesson texts.

Plans store Markdown as the author wrote it; pages render it here. Markdown
turns it into HTML, then nh3 (an allow-list sanitiser) drops everything else:
scripts, event handlers such as ``onclick``, ``javascript:`` links, styles.

Rendering is bounded and done once per text: a text beyond ``lessons.markdown_limits``
(which the plan loader already refuses) is shown as plain text, link scans stop after
``LINK_SCAN_CHARS``, and each text's HTML is remembered by the text itself, so a
plan's texts are rendered once per version of the plan, not on every view.
"""

from __future__ import annotations

import functools
from typing import Any

import markdown as _markdown
import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown import inlinepatterns
from markdown.extensions import Extension

from lessons.markdown_limits import LINK_SCAN_CHARS, markdown_problem

TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "kbd",
    "sub",
    "sup",
}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
CACHED_TEXTS = 2048


class _BoundedScan:
    """Python-Markdown scans from each ``[`` to the end of its block for the ``]`` and
    the ``(…)``: quadratic in brackets. Here each scan sees ``LINK_SCAN_CHARS`` at most."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        return super().getText(data[: index + LINK_SCAN_CHARS], index)  # type: ignore[misc]

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        return super().getLink(data[: index + LINK_SCAN_CHARS], index)  # type: ignore[misc]


# Python-Markdown's own names, patterns and priorities (markdown.inlinepatterns).
_LINK_PROCESSORS: tuple[tuple[str, type[Any], str, int], ...] = (
    ("reference", inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 170),
    ("link", inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE, 160),
    ("image_link", inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE, 150),
    (
        "image_reference",
        inlinepatterns.ImageReferenceInlineProcessor,
        inlinepatterns.IMAGE_REFERENCE_RE,
        140,
    ),
    (
        "short_reference",
        inlinepatterns.ShortReferenceInlineProcessor,
        inlinepatterns.REFERENCE_RE,
        130,
    ),
    (
        "short_image_ref",
        inlinepatterns.ShortImageReferenceInlineProcessor,
        inlinepatterns.IMAGE_REFERENCE_RE,
        125,
    ),
)


class BoundedLinks(Extension):
    """Replace the link and image processors with ones whose scans are bounded."""

    def extendMarkdown(self, md: _markdown.Markdown) -> None:
        for name, base, pattern, priority in _LINK_PROCESSORS:
            bounded = type(f"Bounded{base.__name__}", (_BoundedScan, base), {})
            md.inlinePatterns.register(bounded(pattern, md), name, priority)


def _extensions() -> list[str | Extension]:
    return ["tables", "fenced_code", "sane_lists", BoundedLinks()]


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _render(text: str) -> str:
    if markdown_problem(text) is not None:
        return linebreaks(escape(text))  # too costly to parse: shown as written
    try:
        html = _markdown.markdown(text, extensions=_extensions(), output_format="html")
    except RecursionError:  # not reached within the limits; kept as a last guard
        return linebreaks(escape(text))
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    """Safe HTML for ``text``; raw HTML in it is sanitised, not trusted."""
    return mark_safe(_render(text))
