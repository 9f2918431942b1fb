"""templatetags.diagram_svg: boxes and links drawn by the diagram's partials, kept by value."""

from __future__ import annotations

from dataclasses import replace

from django.template.loader import render_to_string
from django.utils import translation

from architect.sandbox.diagram import layout
from architect.sandbox.diagram_shapes import Diagram
from architect.sandbox.templatetags.diagram_svg import _box, boxes, diagram_links

from helpers.snapshots import everything_snapshot, snapshot


def svg(diagram) -> str:
    return render_to_string("sandbox/diagram_svg.html", {"diagram": diagram, "prefix": "d"})


def diagram_box(box) -> str:
    """One box, as the diagram draws it."""
    return boxes(Diagram(0, 0, (box,), (), "", ""), selectable=False)


def test_a_box_is_drawn_again_when_its_figures_change():
    with translation.override("en"):
        diagram = layout(snapshot())
    box = next(b for b in diagram.boxes if b.id == "web-1")
    first = diagram_box(box)
    hits = _box.cache_info().hits
    assert diagram_box(box) == first
    assert _box.cache_info().hits == hits + 1  # remembered, not rendered again
    busier = diagram_box(replace(box, detail="97%", tone="high", load=5))
    assert 'class="box box-high load-5" data-node="web-1"' in busier and ">97%</text>" in busier
    assert ">97%<" not in first


def test_remembered_markup_is_escaped_like_any_template_output():
    with translation.override("en"):
        box = layout(snapshot()).boxes[1]
    assert "a&lt;b" in diagram_box(replace(box, label="a<b"))


def test_links_and_bands_are_drawn_from_the_diagram():
    with translation.override("en"):
        diagram = layout(everything_snapshot())
    links = diagram_links(diagram)
    assert links.count("<line ") == len(diagram.lines) > 0
    assert links.count('class="band') == len(diagram.bands)


def test_the_whole_svg_holds_every_box_once():
    with translation.override("en"):
        diagram = layout(everything_snapshot())
    html = svg(diagram)
    for box in diagram.boxes:
        assert html.count(f'data-node="{box.id}"') == 1
    assert html.index("<line ") < html.index('data-node="users"')  # links under the boxes
