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
from dataclasses import dataclass, field
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


def filled(value: object) -> str:
    """``value`` as ``{{ value }}`` writes it with autoescaping on
    (``django.template.base.render_value_in_context``, without time zones)."""
    if type(value) is str:
        return html.escape(value)
    value = localize(value)
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


@dataclass(eq=False)
class Slotted:
    """One named partial of ``TEMPLATE``, memoised.

    ``structure``: what, besides the slots and the language, the markup depends on;
    ``slots``: the changing values, in a fixed order; ``dressed``: the context to render
    the structure from, with the given sentinels in place of those values."""

    part: str
    structure: Callable[[Context], Hashable]
    slots: Callable[[Context], Sequence[object]]
    dressed: Callable[[Context, Sequence[str]], Context]
    _kept: dict[Hashable, tuple[tuple[str, ...], tuple[int, ...]] | None] = field(
        default_factory=dict
    )

    def render(self, context: Context) -> str:
        """The partial for ``context``, as ``render_to_string`` would draw it."""
        values = self.slots(context)
        key = (get_language(), self.structure(context))
        if key not in self._kept:
            self._kept[key] = self._cut(context, len(values))
        kept = self._kept[key]
        if kept is None:  # the structure's own text looks like a sentinel: draw it each time
            return render_to_string(f"{TEMPLATE}#{self.part}", context)
        literals, order = kept
        pieces = [literals[0]]
        for index, literal in zip(order, literals[1:], strict=True):
            pieces.append(filled(values[index]))
            pieces.append(literal)
        return "".join(pieces)

    def _cut(self, context: Context, count: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
        """The partial rendered with sentinels, cut into its literal pieces and the order
        its slots come in (a slot may appear more than once, or not at all); None when
        the cut is not clean."""
        if len(self._kept) >= MAX_KEPT:
            self._kept.clear()
        sentinels = [_SENTINEL.format(index) for index in range(count)]
        drawn = render_to_string(f"{TEMPLATE}#{self.part}", self.dressed(context, sentinels))
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


# The status line (``fragments.clock_context``): four ticks in five change only its clock.
STATUS = Slotted("status", _status_structure, _status_slots, _status_dressed)
SLOTTED = {"status": STATUS}
