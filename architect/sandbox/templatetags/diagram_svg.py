"""``{% diagram_box box %}``, ``{% diagram_links diagram %}`` and ``{% diagram_key diagram %}``:
parts of the diagram drawn by the named partials of ``sandbox/diagram_svg.html``, and
remembered by value (the key by the language too).

A tick usually changes a few boxes' figures; the other boxes, the links and the data
center bands are the markup the last tick drew, so they are not rendered again. Their
values hold every word they show, already in the language of the render.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from architect.sandbox.diagram_load import Bottleneck
from architect.sandbox.diagram_shapes import Band, Box, Diagram, Line

TEMPLATE = "sandbox/diagram_svg.html"
register = template.Library()


@register.simple_tag
def diagram_box(box: Box, selectable: object = False) -> SafeString:
    """One node's box: its rectangle, label and figures; ``selectable``: a button that
    shows the node's details (sandbox-nodes.js), on a live page."""
    return _box(box, bool(selectable), get_language() if selectable else None)


@register.simple_tag
def diagram_links(diagram: Diagram) -> SafeString:
    """The data center bands and the links, under the boxes."""
    return _links(diagram.bands, diagram.lines)


@register.simple_tag
def diagram_key(diagram: Diagram) -> SafeString:
    """Under the diagram: its key and the bottleneck named."""
    return _key(get_language(), diagram.bottleneck)


@lru_cache(maxsize=4096)
def _box(box: Box, selectable: bool, language: str | None) -> SafeString:
    context = {"box": box, "selectable": selectable}
    return SafeString(render_to_string(f"{TEMPLATE}#box", context))


@lru_cache(maxsize=256)
def _links(bands: tuple[Band, ...], lines: tuple[Line, ...]) -> SafeString:
    return SafeString(render_to_string(f"{TEMPLATE}#links", {"bands": bands, "lines": lines}))


@lru_cache(maxsize=1024)
def _key(language: str, neck: Bottleneck | None) -> SafeString:
    return SafeString(render_to_string(f"{TEMPLATE}#key", {"neck": neck}))
