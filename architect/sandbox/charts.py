"""Rolling charts of the last 60 simulated seconds as SVG polyline points.

Served (with what was offered), latency percentiles, errors, the busiest nodes'
utilisation, the caches' hit ratios, the monthly cost and the queues (the jobs waiting on
the message queue, the requests waiting at the nodes with the longest queues): each a
main line, perhaps more lines on the same scale, a stage's goal as a level line, and the
window's failures, recoveries and the learner's changes marked on its time axis. The
time axis ends at the last closed second, so a chart changes once a simulated second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from architect.sim.snapshot import Event, EventKind, SeriesPoint

WINDOW_S = 60.0
WIDTH = 300.0
HEIGHT = 80.0
NODE_LINES = (
    3  # the busiest nodes drawn on the utilisation chart, the deepest queues on the queue chart
)
JOBS = "jobs"  # the queue chart's line of jobs waiting on the message queue
PERCENT = 100.0  # top of a chart in percent of a whole
GOAL_LABEL_ROOM = 12.0  # the height a goal's label needs above its line
Value = Callable[[SeriesPoint], float | None]


@dataclass(frozen=True, slots=True)
class Line:
    """One more line on a chart: ``name`` is a node's id or a measure's key."""

    name: str
    points: str
    latest: float | None


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment on the time axis: ``x`` in the chart's units, ``kind`` its CSS class."""

    x: str
    kind: str  # "failure", "recovery" or "change"


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: ``points`` for ``<polyline points=...>``, scaled to ``top``."""

    key: str
    points: str
    top: float  # value at the top edge (a "nice" number at or above the maximum)
    latest: float | None
    marks: tuple[Mark, ...] = ()  # failures, recoveries and the learner's changes
    lines: tuple[Line, ...] = ()  # more lines on the same scale
    goal: float | None = None  # a stage's goal on this measure, drawn as a level line
    name: str = ""  # the main line's node, when it is one node's

    @property
    def goal_y(self) -> str:
        return "" if self.goal is None else f"{HEIGHT - self.goal / self.top * HEIGHT:.1f}"

    @property
    def goal_dy(self) -> str:
        """The goal's label above its line, or below it when the line is near the top
        (a goal at the top of the scale: its label would be cut off)."""
        near_top = self.goal is not None and self.goal / self.top > 1 - GOAL_LABEL_ROOM / HEIGHT
        return "12" if near_top else "-4"


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
        EventKind.CACHE_SET,
        EventKind.SESSIONS_SHARED,
        EventKind.AUTOSCALING_CHANGED,
        EventKind.QUEUE_ADDED,
        EventKind.WORKERS_SET,
        EventKind.CENTER_ADDED,
        EventKind.SHARD_ADDED,
        EventKind.DENORMALISED,
        EventKind.CDN_PURGED,
        EventKind.ASSETS_VERSIONED,
        EventKind.CDN_SET,
        EventKind.SYNC_SET,
    }
)
# A stage's goal metric (lessons.goals.METRICS) → the chart it is drawn on and the factor
# from the metric's unit to the chart's.
GOAL_CHARTS = {
    "throughput_rps": ("throughput", 1.0),
    "p99_ms": ("latency", 1.0),
    "error_rate": ("errors", 100.0),
    "max_utilization": ("utilization", 100.0),
    "hit_ratio": ("hits", 100.0),
    "cost_per_month": ("cost", 1.0),
    "queue_depth": ("queue", 1.0),
}


def x_of(t: float, now: float) -> float:
    return WIDTH - (now - t) / WINDOW_S * WIDTH


def marks(events: Sequence[Event], now: float) -> tuple[Mark, ...]:
    """The window's failures, recoveries and changes, one mark per kind and moment (an event
    after ``now``, in the second still open, sits on the right edge)."""
    found: dict[tuple[str, str], Mark] = {}
    for event in events:
        if now - event.t > WINDOW_S:
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
            x = f"{min(WIDTH, x_of(event.t, now)):.1f}"
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


def _values(series: Sequence[SeriesPoint], value: Value) -> list[tuple[float, float]]:
    return [(p.t, v) for p in series if (v := value(p)) is not None]


def _points(values: list[tuple[float, float]], top: float, now: float) -> str:
    return " ".join(f"{x_of(t, now):.1f},{HEIGHT - v / top * HEIGHT:.1f}" for t, v in values)


def _latest(series: Sequence[SeriesPoint], value: Value) -> float | None:
    return value(series[-1]) if series else None


def polyline(
    series: Sequence[SeriesPoint], value: Value, now: float
) -> tuple[str, float, float | None]:
    """Points, top of scale and latest value of one measure over the window."""
    window = [p for p in series if now - p.t <= WINDOW_S]
    values = _values(window, value)
    top = nice_ceiling(max((v for _, v in values), default=0.0))
    return _points(values, top, now), top, _latest(window, value)


def chart(
    key: str,
    window: Sequence[SeriesPoint],
    now: float,
    main: Value,
    more: Mapping[str, Value] | None = None,
    *,
    top: float | None = None,
    goal: float | None = None,
    name: str = "",
) -> Chart:
    """One chart of ``main`` and the ``more`` lines on one scale (``top``, else the nicest
    number above every value and the goal)."""
    more = more or {}
    values = {"": _values(window, main)} | {n: _values(window, fn) for n, fn in more.items()}
    highest = max((v for vs in values.values() for _, v in vs), default=0.0)
    scale = top or nice_ceiling(max(highest, goal or 0.0))
    lines = tuple(
        Line(n, _points(values[n], scale, now), _latest(window, fn)) for n, fn in more.items()
    )
    points = _points(values[""], scale, now)
    return Chart(key, points, scale, _latest(window, main), (), lines, goal, name)


def _busiest(window: Sequence[SeriesPoint], field: str = "utilization") -> list[str]:
    """The nodes highest at their peak of ``field`` over the window, most first (at most
    NODE_LINES)."""
    peak: dict[str, float] = {}
    for point in window:
        for node, value in getattr(point, field):
            peak[node] = max(peak.get(node, 0.0), value)
    return sorted(peak, key=lambda n: -peak[n])[:NODE_LINES]


def _waiting(node: str) -> Value:
    def value(p: SeriesPoint) -> float | None:
        depth = dict(p.queued).get(node)
        return None if depth is None else float(depth)

    return value


def _queue_chart(window: Sequence[SeriesPoint], end: float, goal: float | None) -> Chart | None:
    """Jobs waiting on the message queue (the main line, which a queue-depth goal judges)
    and the requests waiting at the nodes with the deepest queues; without a message queue
    the deepest node's queue is the main line."""
    lines: dict[str, Value] = {node: _waiting(node) for node in _busiest(window, "queued")}
    if any(p.queue_depth is not None for p in window):
        depth: Value = lambda p: None if p.queue_depth is None else float(p.queue_depth)  # noqa: E731
        return chart("queue", window, end, depth, lines, goal=goal, name=JOBS)
    if not lines:
        return None
    first, *others = lines
    return chart("queue", window, end, lines[first], {n: lines[n] for n in others}, name=first)


def _share_of(field: str, node: str) -> Value:
    def value(p: SeriesPoint) -> float | None:
        share = dict(getattr(p, field)).get(node)
        return None if share is None else share * PERCENT

    return value


def charts(
    series: Sequence[SeriesPoint],
    now: float,
    events: Sequence[Event] = (),
    goals: Mapping[str, float] | None = None,
) -> list[Chart]:
    """The charts that apply to this run, on a time axis ending at the last closed second
    (``now`` until one has closed), each with ``goals`` (chart key → level) and the marks;
    those with a goal first."""
    end = series[-1].t if series else now
    window = [p for p in series if end - p.t <= WINDOW_S]
    goals = goals or {}
    drawn = [
        chart(
            "throughput",
            window,
            end,
            lambda p: p.throughput_rps,
            {"offered": lambda p: p.offered_rps},
            goal=goals.get("throughput"),
        ),
        chart(
            "latency",
            window,
            end,
            lambda p: p.p99_ms,
            {
                "p95": lambda p: p.latency.p95_ms if p.latency else None,
                "p50": lambda p: p.latency.p50_ms if p.latency else None,
            },
            goal=goals.get("latency"),
        ),
        chart("errors", window, end, lambda p: p.error_rate * 100, goal=goals.get("errors")),
    ]
    busiest = _busiest(window)
    if busiest:
        first, *others = busiest
        drawn.append(
            chart(
                "utilization",
                window,
                end,
                _share_of("utilization", first),
                {node: _share_of("utilization", node) for node in others},
                top=PERCENT,
                goal=goals.get("utilization"),
                name=first,
            )
        )
    cached = list(dict.fromkeys(n for p in window for n, _ in p.hit_ratios))
    if cached:
        first, *others = cached
        drawn.append(
            chart(
                "hits",
                window,
                end,
                _share_of("hit_ratios", first),
                {node: _share_of("hit_ratios", node) for node in others},
                top=PERCENT,
                goal=goals.get("hits"),
                name=first,
            )
        )
    drawn.append(chart("cost", window, end, lambda p: p.cost_per_month, goal=goals.get("cost")))
    queues = _queue_chart(window, end, goals.get("queue"))
    if queues is not None:
        drawn.append(queues)
    moments = marks(events, end)
    # the charts a stage's goal is drawn on first: in view when the row scrolls sideways
    return [_marked(c, moments) for c in sorted(drawn, key=lambda c: c.goal is None)]


def _marked(c: Chart, moments: tuple[Mark, ...]) -> Chart:
    return Chart(c.key, c.points, c.top, c.latest, moments, c.lines, c.goal, c.name)


def goal_levels(conditions: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Chart key → level, from a stage's (metric, threshold) conditions; the first wins."""
    levels: dict[str, float] = {}
    for metric, threshold in conditions:
        if metric in GOAL_CHARTS:
            key, factor = GOAL_CHARTS[metric]
            levels.setdefault(key, threshold * factor)
    return levels
