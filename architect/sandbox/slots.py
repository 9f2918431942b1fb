"""Named partials drawn once per structure and filled in per tick ("slot-memoised").

A partial that a tick re-renders with the same markup around a few changing values
(the status line's clock, a metric's value, a chart's points) is rendered once per
*structure* with a sentinel string in place of each changing value; the output is cut at
the sentinels and kept, and each tick joins the kept pieces with its values, escaped as
Django's ``{{ value }}`` would. The template stays the only source of the markup.

A ``Slotted`` partial says which values are its slots and what its structure is: every
other value the partial reads, and every truth a ``{% if %}`` tests, belongs to the
structure key (the active language is always part of it). tests/sandbox/test_slots.py
proves the filled output equal to a direct render over generated contexts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.safestring import SafeData
from django.utils.translation import get_language

TEMPLATE = "sandbox/sandbox.html"
MAX_KEPT = 512  # structures kept per partial (a few per language in practice)
# Private-use characters: never in the templates, left alone by escaping.
_SENTINEL = "\ue000{}\ue001"
_SPLIT = re.compile("\ue000(\\d+)\ue001")
Context = dict[str, Any]


def filled(value: object, language: str | None = None) -> str:
    """``value`` as ``{{ value }}`` writes it with autoescaping on in ``language``
    (``django.template.base.render_value_in_context``, without time zones)."""
    if type(value) is str:
        return html.escape(value)
    if type(value) in (int, float) and language is not None:  # kept by value and language
        return _number(value, language)
    value = localize(value)
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


@lru_cache(maxsize=4096, typed=True)
def _number(value: float, language: str) -> str:
    """``filled`` for a number, a queue's length or a scale's top (``language`` is the
    active one: the key only)."""
    return filled(value)


@dataclass(eq=False)
class Slotted:
    """One named partial of ``template``, memoised (at most ``kept`` structures).

    ``structure``: what, besides the slots and the language, the markup depends on;
    ``slots``: the changing values, in a fixed order; ``dressed``: the context to render
    the structure from, with the given sentinels in place of those values."""

    part: str
    structure: Callable[[Context], Hashable]
    slots: Callable[[Context], Sequence[object]]
    dressed: Callable[[Context, Sequence[str]], Context]
    template: str = TEMPLATE
    kept: int = MAX_KEPT
    _kept: dict[Hashable, tuple[tuple[str, ...], tuple[int, ...]] | None] = field(
        default_factory=dict
    )

    def render(self, context: Context, language: str | None = None) -> str:
        """The partial for ``context``, as ``render_to_string`` would draw it; ``language``:
        the active one, when the caller has it already."""
        values = self.slots(context)
        language = language or get_language()
        key = (language, self.structure(context))
        if key not in self._kept:
            self._kept[key] = self._cut(context, len(values))
        kept = self._kept[key]
        if kept is None:  # the structure's own text looks like a sentinel: draw it each time
            return render_to_string(f"{self.template}#{self.part}", context)
        literals, order = kept
        pieces = [literals[0]]
        for index, literal in zip(order, literals[1:], strict=True):
            pieces.append(filled(values[index], language))
            pieces.append(literal)
        return "".join(pieces)

    def _cut(self, context: Context, count: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
        """The partial rendered with sentinels, cut into its literal pieces and the order
        its slots come in (a slot may appear more than once, or not at all); None when
        the cut is not clean."""
        if len(self._kept) >= self.kept:
            self._kept.clear()
        sentinels = [_SENTINEL.format(index) for index in range(count)]
        drawn = render_to_string(f"{self.template}#{self.part}", self.dressed(context, sentinels))
        cut = _SPLIT.split(drawn)
        order = tuple(int(index) for index in cut[1::2])
        if any(index >= count for index in order) or "\ue000" in "".join(cut[0::2]):
            return None
        return tuple(cut[0::2]), order


def _status_structure(c: Context) -> Hashable:
    status = c["status"]
    return status.paused, status.cause, c["snapshot"].mode, c["aggregate"]


def _status_slots(c: Context) -> Sequence[object]:
    return c["clock"]["speed"], c["clock"]["time"], c["ratio"], c["engine_share"]


def _status_dressed(c: Context, s: Sequence[str]) -> Context:
    return {**c, "clock": {"speed": s[0], "time": s[1]}, "ratio": s[2], "engine_share": s[3]}


def _chart_structure(c: Context) -> Hashable:
    item = c["item"]
    chart = item["chart"]
    return (
        chart.key,
        item["help"],
        item["unit"],
        tuple(line["index"] for line in item["lines"]),
        bool(item["goal"]),
        tuple(mark.kind for mark in chart.marks),
    )


def _chart_slots(c: Context) -> Sequence[object]:
    item = c["item"]
    chart = item["chart"]
    return (
        item["caption"],
        item["latest"],
        item["aria_label"],
        chart.top,
        item["top"],
        item["middle"],
        item["goal"],
        chart.goal_y,
        chart.goal_dy,
        chart.points,
        chart.shift,
        *(value for line in item["lines"] for value in (line["name"], line["line"].points)),
        *(mark.x for mark in chart.marks),
    )


def _chart_dressed(c: Context, s: Sequence[str]) -> Context:
    item = c["item"]
    chart = item["chart"]
    lines = item["lines"]
    marks = [
        {"kind": mark.kind, "x": s[11 + 2 * len(lines) + i]} for i, mark in enumerate(chart.marks)
    ]
    return {
        **c,
        "item": {
            **item,
            "chart": {
                "key": chart.key,
                "top": s[3],
                "goal_y": s[7],
                "goal_dy": s[8],
                "points": s[9],
                "shift": s[10],
                "marks": marks,
            },
            "caption": s[0],
            "latest": s[1],
            "aria_label": s[2],
            "top": s[4],
            "middle": s[5],
            "goal": s[6] if item["goal"] else item["goal"],
            "lines": [
                {**line, "name": s[11 + 2 * i], "line": {"points": s[12 + 2 * i]}}
                for i, line in enumerate(lines)
            ],
        },
    }


def _diagram_slots(c: Context) -> Sequence[object]:
    from architect.sandbox.templatetags import diagram_svg  # it draws boxes with BOX

    diagram, language = c["diagram"], get_language()
    return (
        diagram.svg_width,
        diagram.svg_height,
        diagram.svg_shown_width,
        diagram.title,
        diagram.description,
        diagram_svg.links(diagram),
        diagram_svg.boxes(diagram, True, language),
        diagram_svg.key(diagram, language),
        diagram.svg_fit,
    )


def _diagram_dressed(c: Context, s: Sequence[str]) -> Context:
    names = ("svg_width", "svg_height", "svg_shown_width", "title", "description")
    return {
        **c,
        "diagram": {
            **dict(zip(names, s, strict=False)),
            "links": s[5],
            "boxes": s[6],
            "key": s[7],
            "svg_fit": s[8],
        },
    }


def _cell_dressed(name: str) -> Callable[[Context, Sequence[str]], Context]:
    return lambda c, s: {**c, "node": {**c["node"], name: s[0]}}


# The status line (``fragments.clock_context``): four ticks in five change only its clock.
STATUS = Slotted("status", _status_structure, _status_slots, _status_dressed)
# One chart (``fragments.chart_item``): a closed second moves its points and figures.
CHART = Slotted("chart", _chart_structure, _chart_slots, _chart_dressed)
# The diagram (``diagram.layout``): its frame is the same for every architecture; its
# size, words, links, boxes and key are slots (the last three markup the diagram_svg tags
# draw and remember by value).
DIAGRAM = Slotted("diagram", lambda c: None, _diagram_slots, _diagram_dressed)
# One box of the diagram (``diagram_shapes.Box``, in ``sandbox/diagram_svg.html``): its
# figures ("replica · 47%") are its slot, all else (where it is, its tone, load, queue
# bar) and whether it has figures at all are its structure; a few per box and language.
BOX = Slotted(
    "box",
    lambda c: (replace(c["box"], detail=""), bool(c["box"].detail), c["selectable"]),
    lambda c: (c["box"].detail,),
    lambda c, s: {**c, "box": replace(c["box"], detail=s[0] if c["box"].detail else "")},
    template="sandbox/diagram_svg.html",
    kept=4096,
)


def _key_dressed(c: Context, s: Sequence[str]) -> Context:
    neck = c["neck"]
    if neck is None:
        return c
    return {**c, "neck": {"node": s[0], "percent": s[1], "limiting": neck.limiting}}


# The diagram's key (``sandbox/diagram_svg.html``): the bottleneck's node and percentage
# are its slots, whether there is one and whether it limits the site its structure (the
# busiest node's percentage moves most seconds early in a run: drawn, not rendered).
KEY = Slotted(
    "key",
    lambda c: (c["neck"] is None, c["neck"] is not None and c["neck"].limiting),
    lambda c: () if c["neck"] is None else (c["neck"].node, c["neck"].percent),
    _key_dressed,
    template="sandbox/diagram_svg.html",
)
# A metric's value and a node's busy and queue cells: their ids are their structure.
METRIC_VALUE = Slotted(
    "metric_value",
    lambda c: c["row"]["key"],
    lambda c: (c["row"]["value"],),
    lambda c, s: {**c, "row": {**c["row"], "value": s[0]}},
)
BUSY = Slotted(
    "busy", lambda c: c["node"]["id"], lambda c: (c["node"]["busy"],), _cell_dressed("busy")
)
QUEUE = Slotted(
    "queue", lambda c: c["node"]["id"], lambda c: (c["node"]["queued"],), _cell_dressed("queued")
)


def _chart_items(c: Context) -> str:
    label, language = c["label"], get_language()
    return "".join(
        CHART.render({"item": item, "label": label}, language) for item in c["changed_charts"]
    )


def _metric_values(c: Context) -> str:
    language = get_language()
    return "".join(METRIC_VALUE.render({"row": row}, language) for row in c["changed_metrics"])


def _node_cells(c: Context) -> str:
    language = get_language()
    return "".join(
        BUSY.render({"node": node}, language) + QUEUE.render({"node": node}, language)
        for node in c["cells"]
    )


# The partials a tick sends, drawn from the memoised ones: ``fragments.render`` uses these
# instead of the template's own (``chartitems``, ``metricvalues``, ``nodestats``: their
# loops, the same concatenation).
SLOTTED: dict[str, Callable[[Context], str]] = {
    "status": STATUS.render,
    "chartitems": _chart_items,
    "diagram": DIAGRAM.render,
    "metricvalues": _metric_values,
    "nodestats": _node_cells,
}
