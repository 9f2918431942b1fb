"""The charts' points as SVG text, and what one renderer keeps of them from second to second.

A point is written at its absolute simulated time (x = t × WIDTH / WINDOW_S) and the
chart's lines are moved along x by ``shift`` so that the last closed second sits on the
right edge (``translate(shift 0)`` on their group). A point's text therefore stays the
same while it is in the window, and ``Traces``, kept by a renderer, turn each line's
points of the last second into the next second's: the oldest dropped, the new one written.
Traces also keep what the charts read from each closed second (``rows``), so a second is
read once, not once a line and a second for 60 seconds. x grows 5 units a simulated
second: a day at 5× is x = 2,160,000, where a browser's single-precision geometry is still
exact to 0.25 units (of 300), a quarter of a pixel at most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from architect.sim.snapshot import SeriesPoint

WINDOW_S = 60.0
WIDTH = 300.0
HEIGHT = 80.0
SCALE = WIDTH / WINDOW_S  # chart units per simulated second
MAX_KEPT = 50_000
_XS: dict[float, str] = {}  # a point's time → "x," (the same whatever the window)
_YS: dict[float, dict[float, str]] = {}  # top → value → "y"
Row = tuple[Any, ...]  # what the charts read from one closed second


def short(value: float) -> str:
    """``value`` to a tenth, without a trailing ".0" (a point's coordinate: "6170", "72.5")."""
    text = f"{value + 0.0:.1f}"  # + 0.0: no "-0"
    return text[:-2] if text.endswith(".0") else text


def points(ts: Sequence[float], vs: Sequence[float], top: float) -> list[str]:
    """``x,y`` of each value in ``vs`` at its time in ``ts`` on a scale up to ``top``; both
    halves are kept (a point is written each second it is in a window, values repeat)."""
    xs, ys = _XS, _YS.get(top)
    if len(xs) > MAX_KEPT:
        xs.clear()
    if ys is None or len(ys) > MAX_KEPT:
        ys = _YS[top] = {}
    try:
        return [xs[t] + ys[v] for t, v in zip(ts, vs, strict=True)]
    except KeyError:  # a new time or value: write it
        for t, v in zip(ts, vs, strict=True):
            if t not in xs:
                xs[t] = short(t * SCALE) + ","
            if v not in ys:
                ys[v] = short(HEIGHT - v / top * HEIGHT)
        return [xs[t] + ys[v] for t, v in zip(ts, vs, strict=True)]


def shift(end: float) -> str:
    """How far along x a chart's lines are moved so that the time ``end`` (the last closed
    second) is on the right edge and ``end`` − WINDOW_S on the left."""
    return short(WIDTH - end * SCALE)


@dataclass(slots=True)
class _Trace:
    """One line as last drawn: its points' times and values, and its text on ``top``'s scale
    with the length of each point's part of it (kept instead of the parts: less memory)."""

    top: float
    ts: tuple[float, ...]
    vs: tuple[float, ...]
    text: str
    lengths: list[int]


class Traces:
    """What one renderer drew at the last closed second: each line's points by (chart,
    line), and what it read from each closed second in the window.

    A line's next points are its last ones without those that left the window, plus the
    new ones, when its scale is the same and its kept points have the same times and
    values (compared, so a line that moved or was rescaled is written afresh). A second's
    row is read again unless it is the very ``SeriesPoint`` read before (frozen: the same
    object has the same values; a snapshot from a worker process brings new ones)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], _Trace] = {}
        self._drawn: dict[tuple[str, str], _Trace] = {}
        self._rows: dict[float, tuple[SeriesPoint, Row]] = {}

    def rows(self, window: Sequence[SeriesPoint], read: Callable[[SeriesPoint], Row]) -> list[Row]:
        """``read`` of each second in ``window``, each read once while it is in the window."""
        kept, rows, now = self._rows, [], {}
        for second in window:
            hit = kept.get(second.t)
            row = hit[1] if hit is not None and hit[0] is second else read(second)
            now[second.t] = (second, row)
            rows.append(row)
        self._rows = now
        return rows

    def points(
        self, line: tuple[str, str], ts: Sequence[float], vs: Sequence[float], top: float
    ) -> str:
        """``x,y`` of each (t, value) of ``line`` on a scale up to ``top``."""
        ts, vs = tuple(ts), tuple(vs)
        old, kept = self._kept.get(line), 0
        if old is not None and old.top == top and ts and ts[0] in old.ts:
            start = old.ts.index(ts[0])
            kept = len(old.ts) - start
            if old.ts[start:] != ts[:kept] or old.vs[start:] != vs[:kept]:
                kept = 0
        if kept and old is not None:
            drop = len(old.ts) - kept
            text = old.text[sum(old.lengths[:drop]) + drop :]  # the points and their spaces
            new = points(ts[kept:], vs[kept:], top)
            text = " ".join([text, *new]) if new else text
            lengths = old.lengths[drop:] + list(map(len, new))
        else:
            new = points(ts, vs, top)
            text, lengths = " ".join(new), list(map(len, new))
        self._drawn[line] = _Trace(top, ts, vs, text, lengths)
        return text

    def turn(self) -> None:
        """The lines drawn since the last turn are the ones kept (others are forgotten)."""
        self._kept, self._drawn = self._drawn, {}
