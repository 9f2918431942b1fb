"""The diagram's values: boxes, lines, data center bands, the whole diagram; each
answers a template's lookups at its first try and formats its numbers for SVG."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.utils.safestring import mark_safe

from architect.sandbox.diagram_load import QUEUE_STEPS, Bottleneck


@lru_cache(maxsize=8192)
def svg_number(value: float, places: int = 1) -> str:
    """``value`` as an SVG attribute: "12.5" (or "13" with ``places`` 0), rounded half up
    like ``floatformat:'1u'``; cached, since a layout's numbers repeat from tick to tick."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return mark_safe(f"{rounded + 0:f}")  # digits need no escaping; + 0: "-0.0" becomes "0.0"


READABLE_SCALE = 0.925  # CSS px per unit: the smallest label, 12 units, at 11.1 px
# One screen (sandbox.css): the diagram's frame well into stage 13's run at 1280×720 (a
# projector at 150 %; its charts' keys on a second line, their marks explained), the smallest
# a stage gets, in CSS px: measured 814×170 (814×190 before the first failure's mark), a few
# px kept back for other fonts; tests/browser/test_layout.py asserts every measured stage
# frame at least this. A diagram that fits it with its smallest label at FITTED_LABEL_PX or
# more (8.5 CSS px: 12.75 px on that screen) shrinks to fit its frame; a larger one pans at
# READABLE_SCALE.
FIT_FRAME = (810.0, 168.0)
FITTED_LABEL_PX = 8.5
# Character widths in ems of DejaVu Sans (the widest common sans-serif, the one a Linux
# browser draws with), rounded up; a Hangul or CJK character is one em; bold adds a tenth.
EMS = {
    " ": 0.32,
    "·": 0.32,
    ".": 0.32,
    "-": 0.37,
    "i": 0.28,
    "l": 0.28,
    "j": 0.28,
    "r": 0.42,
    "t": 0.4,
    "f": 0.36,
    "%": 0.96,
    "m": 0.98,
    "w": 0.82,
    "M": 0.87,
    "W": 0.99,
}
NARROW_EM, CAPITAL_EM, WIDE_EM, BOLD = 0.64, 0.72, 1.0, 1.1


def _em(c: str) -> float:
    if c in EMS:
        return EMS[c]
    if ord(c) >= 0x1100:
        return WIDE_EM
    return CAPITAL_EM if c.isupper() else NARROW_EM


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An upper estimate of ``text``'s width in units at font size ``size``."""
    return size * sum(_em(c) for c in text) * (BOLD if bold else 1.0)


class _Lookup:
    """Answers Django's ``{{ box.x }}`` at its first try: a template variable is looked up
    as an item before an attribute, and a failed item lookup raises (and costs) an
    exception per variable; a diagram has hundreds of them."""

    __slots__ = ()

    def __getitem__(self, name: str) -> object:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


def _svg(field: str, places: int = 1) -> property:
    """A read-only attribute: the number ``field`` formatted by ``svg_number``."""
    return property(lambda self: svg_number(getattr(self, field), places))


@dataclass(frozen=True, slots=True)
class Box(_Lookup):
    id: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    label: str
    detail: str  # utilisation, "down", or a role
    tone: str  # css modifier: users, down, low, mid, high
    dashed: bool  # out of rotation
    load: int = -1  # step of the colour scale by utilisation (diagram_load), -1: none shown
    queue: int = 0  # length of the queue bar in tenths of the box
    limiting: bool = False  # the bottleneck
    svg_x, svg_y, svg_w, svg_h, svg_cx, svg_cy = map(_svg, ("x", "y", "w", "h", "cx", "cy"))
    svg_qx, svg_qy, svg_qh = map(_svg, ("qx", "qy", "qh"))
    svg_hx, svg_hy, svg_hw, svg_hh = map(_svg, ("hx", "hy", "hw", "hh"))

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    # The queue bar: a gauge up the box's left edge, clear of its centred text (it was a
    # strip on the bottom edge, under the figures, and hard to see on a dark box); and the
    # bottleneck's halo around the box.
    qx = property(lambda self: self.x + 4)
    qh = property(lambda self: (self.h - 8) * self.queue / QUEUE_STEPS)
    qy = property(lambda self: self.y + self.h - 4 - self.qh)
    hx = property(lambda self: self.x - 5)
    hy = property(lambda self: self.y - 5)
    hw = property(lambda self: self.w + 10)
    hh = property(lambda self: self.h + 10)

    @property
    def compact(self) -> bool:
        """One line (“web-12 · 40%”) instead of a label and a detail line."""
        return self.h < 34

    @property
    def tight(self) -> bool:
        """Two lines in smaller type."""
        return not self.compact and self.h < 40


@dataclass(frozen=True, slots=True)
class Line(_Lookup):
    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool
    carries: tuple[tuple[str, str], ...] = ()  # the links it draws (several on a bus)
    spine: bool = False  # a bus's vertical line: no direction of flow
    flow: int = -1  # its width by the traffic it carries (diagram_load), -1: none shown
    svg_x1, svg_y1, svg_x2, svg_y2 = map(_svg, ("x1", "y1", "x2", "y2"))


@dataclass(frozen=True, slots=True)
class Band(_Lookup):
    """A data center: a labelled rectangle behind its nodes."""

    id: str
    x: float
    y: float
    w: float
    h: float
    label: str  # “Data center Asia”, or “Data center Asia · down”
    down: bool
    svg_x, svg_y, svg_w, svg_h = map(_svg, ("x", "y", "w", "h"))


@dataclass(frozen=True, slots=True)
class Diagram(_Lookup):
    width: float
    height: float
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]
    title: str
    description: str
    bands: tuple[Band, ...] = ()
    bottleneck: Bottleneck | None = None  # the busiest node, when the diagram is live
    # "fit": it shrinks to fit a one-screen frame (sandbox.css), its labels readable in the
    # smallest (``FIT_FRAME``); "fixed": it keeps its scale and pans. Set with the geometry
    # (``fit``). Not "pan": the SVG would take its frame's class, .diagram-pan, and rules.
    svg_fit: str = "fixed"
    svg_width, svg_height = _svg("width", 0), _svg("height", 0)
    # The size it is drawn at: its smallest label (12 units) at 11 px or more; a diagram
    # wider or taller than its frame pans instead of shrinking (sandbox.css).
    svg_shown_width = property(lambda self: svg_number(self.width * READABLE_SCALE, 0))

    @property
    def smallest_font(self) -> float:
        """The smallest label's size in units: 12 in a tight or one-line box, else 13."""
        return 12.0 if any(b.compact or b.tight for b in self.boxes) else 13.0


def fit(diagram: Diagram) -> str:
    """``Diagram.svg_fit`` for ``diagram``'s geometry: "fit" when its labels stay at
    ``FITTED_LABEL_PX`` or more shrunk into ``FIT_FRAME``, else "fixed"."""
    scale = FITTED_LABEL_PX / diagram.smallest_font
    fits = diagram.width * scale <= FIT_FRAME[0] and diagram.height * scale <= FIT_FRAME[1]
    return "fit" if fits else "fixed"
