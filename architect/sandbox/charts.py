"""Rolling charts of the last 60 simulated seconds as SVG polyline points."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from architect.sim.snapshot import Event, EventKind, SeriesPoint

WINDOW_S = 60.0
WIDTH = 300.0
HEIGHT = 80.0


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: ``points`` for ``<polyline points=...>``, scaled to ``top``."""

    key: str
    points: str
    top: float  # value at the top edge (a "nice" number at or above the maximum)
    latest: float | None
    marks: tuple[Mark, ...] = ()  # failures, recoveries and the learner's changes


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment on the time axis: ``x`` in the chart's units, ``kind`` its CSS class."""

    x: str
    kind: str  # "failure", "recovery" or "change"


FAILURES = frozenset({EventKind.NODE_FAILED, EventKind.CENTER_FAILED, EventKind.SITE_DOWN})
RECOVERIES = frozenset(
    {
        EventKind.NODE_RESTORED,
        EventKind.NODE_REPAIRED,
        EventKind.CENTER_RESTORED,
        EventKind.PRIMARY_PROMOTED,
    }
)
CHANGES = frozenset(
    {
        EventKind.NODE_ADDED,
        EventKind.NODE_REMOVED,
        EventKind.NODE_RESIZED,
        EventKind.TRAFFIC_CHANGED,
        EventKind.TRAFFIC_MIX_CHANGED,
        EventKind.DATABASE_SEPARATED,
        EventKind.OPERATIONS_CHANGED,
        EventKind.BALANCING_CHANGED,
        EventKind.SESSIONS_SHARED,
        EventKind.AUTOSCALING_CHANGED,
        EventKind.QUEUE_ADDED,
        EventKind.WORKERS_SET,
        EventKind.CENTER_ADDED,
        EventKind.SHARD_ADDED,
        EventKind.CDN_PURGED,
        EventKind.ASSETS_VERSIONED,
    }
)


def marks(events: Sequence[Event], now: float) -> tuple[Mark, ...]:
    """The window's failures, recoveries and changes, one mark per kind and moment."""
    found: dict[tuple[str, str], Mark] = {}
    for event in events:
        if now - event.t > WINDOW_S or event.t > now:
            continue
        kind = (
            "failure"
            if event.kind in FAILURES
            else "recovery"
            if event.kind in RECOVERIES
            else "change"
            if event.kind in CHANGES
            else ""
        )
        if kind:
            x = f"{WIDTH - (now - event.t) / WINDOW_S * WIDTH:.1f}"
            found.setdefault((x, kind), Mark(x, kind))
    return tuple(found.values())


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover


def polyline(
    series: Sequence[SeriesPoint], value: Callable[[SeriesPoint], float | None], now: float
) -> tuple[str, float, float | None]:
    """Points, top of scale and latest value of one measure over the window."""
    values = [(p.t, value(p)) for p in series if now - p.t <= WINDOW_S]
    known = [v for _, v in values if v is not None]
    top = nice_ceiling(max(known, default=0.0))
    points = " ".join(
        f"{WIDTH - (now - t) / WINDOW_S * WIDTH:.1f},{HEIGHT - v / top * HEIGHT:.1f}"
        for t, v in values
        if v is not None
    )
    return points, top, (known[-1] if known and values[-1][1] is not None else None)


def charts(series: Sequence[SeriesPoint], now: float, events: Sequence[Event] = ()) -> list[Chart]:
    """Throughput, p99 latency and error-rate (in %) charts, each with the window's
    failures, recoveries and the learner's changes marked on its time axis."""
    moments = marks(events, now)
    measures: list[tuple[str, Callable[[SeriesPoint], float | None]]] = [
        ("throughput", lambda p: p.throughput_rps),
        ("p99", lambda p: p.p99_ms),
        ("errors", lambda p: p.error_rate * 100),
    ]
    return [Chart(key, *polyline(series, fn, now), marks=moments) for key, fn in measures]
