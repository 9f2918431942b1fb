"""``{% diagram_links diagram %}``, ``{% diagram_boxes diagram %}`` and
``{% diagram_key diagram %}``: parts of the diagram drawn by the named partials of
``sandbox/diagram_svg.html``, and remembered by value (a selectable box and the key by the
language too).

A tick usually changes a few boxes' figures; the other boxes, the links and the data
center bands are the markup the last tick drew, so they are not rendered again. Their
values hold every word they show, already in the language of the render.

Each tag also takes the stand-in ``slots.DIAGRAM`` draws its structure from (a dict of
sentinels, ``drawn``): it writes the part's sentinel there, and the memo fills in the
markup ``links``, ``boxes`` and ``key`` below draw.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from architect.sandbox.diagram_load import Bottleneck
from architect.sandbox.diagram_shapes import Band, Box, Diagram, Line
from architect.sandbox.slots import BOX, KEY

TEMPLATE = "sandbox/diagram_svg.html"
register = template.Library()


@register.simple_tag
def diagram_links(diagram: Diagram | dict[str, Any]) -> SafeString:
    """The data center bands and the links, under the boxes."""
    return diagram["links"] if isinstance(diagram, dict) else links(diagram)


@register.simple_tag
def diagram_boxes(diagram: Diagram | dict[str, Any], selectable: object = False) -> SafeString:
    """Every node's box: its rectangle, label and figures; ``selectable``: each a button
    that shows the node's details (sandbox-nodes.js), on a live page."""
    return diagram["boxes"] if isinstance(diagram, dict) else boxes(diagram, bool(selectable))


@register.simple_tag
def diagram_key(diagram: Diagram | dict[str, Any]) -> SafeString:
    """Under the diagram: its key and the bottleneck named."""
    return diagram["key"] if isinstance(diagram, dict) else key(diagram)


def links(diagram: Diagram) -> SafeString:
    """The bands, then the lines: each remembered on its own, so a line whose width
    changed is the only one drawn again."""
    drawn = [_band(band) for band in diagram.bands] + [_line(line) for line in diagram.lines]
    return SafeString("".join(drawn))


def boxes(diagram: Diagram, selectable: bool, language: str | None = None) -> SafeString:
    """The boxes' markup (``language``: the active one, when the caller has it)."""
    if selectable:
        language = language or get_language()
    shown = language if selectable else None
    return SafeString("".join([_box(box, selectable, shown) for box in diagram.boxes]))


def key(diagram: Diagram, language: str | None = None) -> SafeString:
    return _key(language or get_language(), diagram.bottleneck)


@lru_cache(maxsize=4096)
def _box(box: Box, selectable: bool, language: str | None) -> str:
    """A box as its figures are now: filled into its structure (``slots.BOX``)."""
    return BOX.render({"box": box, "selectable": selectable}, language or get_language())


@lru_cache(maxsize=256)
def _band(band: Band) -> str:
    return render_to_string(f"{TEMPLATE}#band", {"band": band})


@lru_cache(maxsize=4096)
def _line(line: Line) -> str:
    return render_to_string(f"{TEMPLATE}#line", {"line": line})


@lru_cache(maxsize=1024)
def _key(language: str, neck: Bottleneck | None) -> SafeString:
    """The key and the bottleneck named, filled into the key's structure (``slots.KEY``)."""
    return SafeString(KEY.render({"neck": neck}, language))
