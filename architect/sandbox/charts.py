"""Rolling charts of the last 60 simulated seconds as SVG polyline points.

Served (with what was offered), latency percentiles, errors, the busiest nodes'
utilisation, the caches' hit ratios, the monthly cost and the queues (the jobs waiting on
the message queue, the requests waiting at the nodes with the longest queues): each a
main line, perhaps more lines on the same scale, a stage's goal as a level line, and the
window's failures, recoveries and the learner's changes marked on its time axis. The
time axis ends at the last closed second, so a chart changes once a simulated second.

A point is drawn at its absolute simulated time (x = t × WIDTH / WINDOW_S), and the lines'
group is shifted left by the chart's ``shift`` so that the last closed second sits on the
right edge: a point's text never changes while it is in the window, so a renderer's
``Traces`` turn each line's last points into the next second's by dropping the oldest and
formatting only the new one, instead of 60 new points per line.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, sub

from architect.sim.snapshot import Event, EventKind, SeriesPoint

WINDOW_S = 60.0
WIDTH = 300.0
HEIGHT = 80.0
SCALE = WIDTH / WINDOW_S  # chart units per simulated second
NODE_LINES = (
    3  # the busiest nodes drawn on the utilisation chart, the deepest queues on the queue chart
)
JOBS = "jobs"  # the queue chart's line of jobs waiting on the message queue
PERCENT = 100.0  # top of a chart in percent of a whole
GOAL_LABEL_ROOM = 12.0  # the height a goal's label needs above its line
Value = Callable[[SeriesPoint], float | None]
_NAME, _VALUE = itemgetter(0), itemgetter(1)  # of a (node, value) pair


@dataclass(frozen=True, slots=True)
class Line:
    """One more line on a chart: ``name`` is a node's id or a measure's key. ``points`` at
    absolute time (the chart's ``shift`` places them); two lines are equal when they draw
    the same picture (``drawn``: each point's age and value; by default the points)."""

    name: str
    points: str = field(compare=False)
    latest: float | None
    drawn: Hashable = None

    def __post_init__(self) -> None:
        if self.drawn is None:
            object.__setattr__(self, "drawn", (self.points,))


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment on the time axis: ``x`` in the chart's units, ``kind`` its CSS class."""

    x: str
    kind: str  # "failure", "recovery" or "change"


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: ``points`` for ``<polyline points=...>``, scaled to ``top``, at absolute
    time: the lines' group is moved ``shift`` along x (``translate(shift 0)``), which puts
    the last closed second on the right edge. Two charts are equal when they draw the same
    picture: ``drawn`` (each point's age and value) stands for the points and the shift,
    which move every second even when the picture does not (by default, both)."""

    key: str
    points: str = field(compare=False)
    top: float  # value at the top edge (a "nice" number at or above the maximum)
    latest: float | None
    marks: tuple[Mark, ...] = ()  # failures, recoveries and the learner's changes
    lines: tuple[Line, ...] = ()  # more lines on the same scale
    goal: float | None = None  # a stage's goal on this measure, drawn as a level line
    name: str = ""  # the main line's node, when it is one node's
    shift: str = field(default="0", compare=False)
    drawn: Hashable = None

    def __post_init__(self) -> None:
        if self.drawn is None:
            object.__setattr__(self, "drawn", (self.points, self.shift))

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


_XS: dict[float, str] = {}  # a point's time → "x," (absolute: each second's is the same)
_YS: dict[float, dict[float, str]] = {}  # top → value → "y": a point keeps both for 60 s
MAX_KEPT = 50_000


def _short(value: float) -> str:
    """``value`` to a tenth, without a trailing ".0" (a point's coordinate: "6170", "72.5")."""
    text = f"{value + 0.0:.1f}"  # + 0.0: no "-0"
    return text[:-2] if text.endswith(".0") else text


def _point(t: float, v: float, top: float) -> str:
    """``x,y`` of the value ``v`` at time ``t`` on a scale up to ``top``: x is absolute, so a
    point's text is the same every second it is drawn; both halves are kept."""
    xs, ys = _XS, _YS.get(top)
    if len(xs) > MAX_KEPT:
        xs.clear()
    if ys is None or len(ys) > MAX_KEPT:
        ys = _YS[top] = {}
    x = xs.get(t)
    if x is None:
        x = xs[t] = _short(t * SCALE) + ","
    y = ys.get(v)
    if y is None:
        y = ys[v] = _short(HEIGHT - v / top * HEIGHT)
    return x + y


def shift(end: float) -> str:
    """How far along x a chart's lines are moved so that the time ``end`` (the last closed
    second) is on the right edge and ``end`` − WINDOW_S on the left."""
    return _short(WIDTH - end * SCALE)


def _values(series: Sequence[SeriesPoint], value: Value) -> list[tuple[float, float]]:
    return [(p.t, v) for p in series if (v := value(p)) is not None]


@dataclass(slots=True)
class _Trace:
    """One line as last drawn: its points' times and values, their texts on ``top``'s scale."""

    top: float
    ts: tuple[float, ...]
    vs: tuple[float, ...]
    pieces: list[str]


class Traces:
    """The lines one renderer drew at the last closed second, by (chart, line): the next
    second's points of a line are the last ones without those that left the window, plus
    the new ones, when its scale is the same and its kept points have the same times and
    values (checked, so a line that moved or rescaled is formatted afresh)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], _Trace] = {}
        self._drawn: dict[tuple[str, str], _Trace] = {}

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
            pieces = old.pieces[len(old.ts) - kept :]
            pieces += [_point(t, v, top) for t, v in zip(ts[kept:], vs[kept:], strict=True)]
        else:
            pieces = [_point(t, v, top) for t, v in zip(ts, vs, strict=True)]
        self._drawn[line] = _Trace(top, ts, vs, pieces)
        return " ".join(pieces)

    def turn(self) -> None:
        """The lines drawn since the last turn are the ones kept (others are forgotten)."""
        self._kept, self._drawn = self._drawn, {}


def _points(values: Iterable[tuple[float, float]], top: float) -> str:
    """``x,y`` of each (t, value), at absolute time, on a scale up to ``top``."""
    return " ".join([_point(t, v, top) for t, v in values])


def _drawn(ts: Sequence[float], vs: Sequence[float], end: float) -> tuple[object, ...]:
    """What a line looks like in a window ending at ``end``: each point's age and value."""
    return tuple(map(sub, repeat(end), ts)), tuple(vs)


def _latest(series: Sequence[SeriesPoint], value: Value) -> float | None:
    return value(series[-1]) if series else None


def polyline(
    series: Sequence[SeriesPoint], value: Value, now: float
) -> tuple[str, float, float | None]:
    """Points (at absolute time: ``shift(now)`` places them), top of scale and latest value
    of one measure over the window ending at ``now``."""
    window = [p for p in series if now - p.t <= WINDOW_S]
    values = _values(window, value)
    top = nice_ceiling(max((v for _, v in values), default=0.0))
    return _points(values, top), top, _latest(window, value)


@dataclass(frozen=True, slots=True)
class Measured:
    """One measure over the window: the times and values of the points that have it, and
    its value in the last point."""

    ts: Sequence[float]
    vs: Sequence[float]
    latest: float | None


def measured(window: Sequence[SeriesPoint], value: Value) -> Measured:
    pairs = _values(window, value)
    ts, vs = zip(*pairs, strict=True) if pairs else ((), ())
    return Measured(ts, vs, _latest(window, value))


def chart(
    key: str,
    window: Sequence[SeriesPoint],
    now: float,
    main: Value | Measured,
    more: Mapping[str, Value | Measured] | None = None,
    *,
    top: float | None = None,
    goal: float | None = None,
    name: str = "",
    traces: Traces | None = None,
) -> Chart:
    """One chart of ``main`` and the ``more`` lines on one scale (``top``, else the nicest
    number above every value and the goal), ending at ``now``; ``traces``: the lines as
    the renderer last drew them."""
    traces = traces or Traces()
    first = main if isinstance(main, Measured) else measured(window, main)
    others = {
        n: m if isinstance(m, Measured) else measured(window, m) for n, m in (more or {}).items()
    }
    highest = max((max(m.vs) for m in (first, *others.values()) if m.vs), default=0.0)
    scale = top or nice_ceiling(max(highest, goal or 0.0))
    lines = tuple(
        Line(n, traces.points((key, n), m.ts, m.vs, scale), m.latest, _drawn(m.ts, m.vs, now))
        for n, m in others.items()
    )
    points = traces.points((key, name), first.ts, first.vs, scale)
    drawn = _drawn(first.ts, first.vs, now)
    return Chart(key, points, scale, first.latest, (), lines, goal, name, shift(now), drawn)


@dataclass(frozen=True, slots=True)
class _Column:
    """One node's raw values of a per-node field over the window, and in the last point."""

    ts: Sequence[float]
    raw: Sequence[float]
    last: float | None

    @property
    def peak(self) -> float:
        return max(0.0, max(self.raw))

    def scaled(self, factor: float) -> Measured:
        """The column as a chart's line: its values times ``factor``."""
        latest = None if self.last is None else self.last * factor
        return Measured(self.ts, [v * factor for v in self.raw], latest)


def _by_node(window: Sequence[SeriesPoint], field: str) -> dict[str, _Column]:
    """Each node's values of a per-node ``field`` (utilisation, hit ratios, queues) over the
    window, in the order the nodes first appear."""
    rows = [getattr(point, field) for point in window]
    last = dict(rows[-1]) if rows else {}
    if rows and all(len(row) == len(rows[0]) for row in rows):
        # The usual window: the same nodes in every point, in the same order.
        columns = list(zip(*rows, strict=True))
        if all(len(set(map(_NAME, column))) == 1 for column in columns):
            ts = [point.t for point in window]
            return {
                column[0][0]: _Column(ts, list(map(_VALUE, column)), last.get(column[0][0]))
                for column in columns
            }
    pairs: dict[str, list[tuple[float, float]]] = {}
    for point, row in zip(window, rows, strict=True):
        for node, value in row:
            pairs.setdefault(node, []).append((point.t, value))
    return {
        node: _Column([t for t, _ in p], [v for _, v in p], last.get(node))
        for node, p in pairs.items()
    }


def _busiest(columns: dict[str, _Column]) -> list[str]:
    """The nodes highest at their peak over the window, most first (at most NODE_LINES)."""
    peak = {node: column.peak for node, column in columns.items()}
    return sorted(peak, key=lambda n: -peak[n])[:NODE_LINES]


def _queue_chart(
    window: Sequence[SeriesPoint], end: float, goal: float | None, traces: Traces
) -> Chart | None:
    """Jobs waiting on the message queue (the main line, which a queue-depth goal judges)
    and the requests waiting at the nodes with the deepest queues; without a message queue
    the deepest node's queue is the main line."""
    queued = _by_node(window, "queued")
    lines = {node: queued[node].scaled(1.0) for node in _busiest(queued)}
    if any(p.queue_depth is not None for p in window):
        depth: Value = lambda p: None if p.queue_depth is None else float(p.queue_depth)  # noqa: E731
        return chart("queue", window, end, depth, lines, goal=goal, name=JOBS, traces=traces)
    if not lines:
        return None
    first, *others = lines
    others_lines = {n: lines[n] for n in others}
    return chart("queue", window, end, lines[first], others_lines, name=first, traces=traces)


def _percent_chart(
    key: str,
    window: Sequence[SeriesPoint],
    end: float,
    columns: dict[str, _Column],
    nodes: list[str],
    goal: float | None,
    traces: Traces,
) -> Chart:
    """A per-node fraction (utilisation, hit ratio) of ``nodes`` in percent, the first of
    them the main line."""
    first, *others = nodes
    lines = {node: columns[node].scaled(PERCENT) for node in others}
    main = columns[first].scaled(PERCENT)
    return chart(key, window, end, main, lines, top=PERCENT, goal=goal, name=first, traces=traces)


def charts(
    series: Sequence[SeriesPoint],
    now: float,
    events: Sequence[Event] = (),
    goals: Mapping[str, float] | None = None,
    traces: Traces | None = None,
) -> list[Chart]:
    """The charts that apply to this run, on a time axis ending at the last closed second
    (``now`` until one has closed), each with ``goals`` (chart key → level) and the marks;
    those with a goal first. ``traces``: the lines as this caller last drew them (each
    line's points are then the last ones moved on by a second), kept for the next call."""
    end = series[-1].t if series else now
    window = [p for p in series if end - p.t <= WINDOW_S]
    goals = goals or {}
    traces = traces or Traces()
    drawn = [
        chart(
            "throughput",
            window,
            end,
            lambda p: p.throughput_rps,
            {"offered": lambda p: p.offered_rps},
            goal=goals.get("throughput"),
            traces=traces,
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
            traces=traces,
        ),
        chart(
            "errors",
            window,
            end,
            lambda p: p.error_rate * 100,
            goal=goals.get("errors"),
            traces=traces,
        ),
    ]
    used = _by_node(window, "utilization")
    hits = _by_node(window, "hit_ratios")
    for key, columns, nodes in (("utilization", used, _busiest(used)), ("hits", hits, [*hits])):
        if nodes:
            goal = goals.get(key)
            drawn.append(_percent_chart(key, window, end, columns, nodes, goal, traces))
    cost = chart(
        "cost", window, end, lambda p: p.cost_per_month, goal=goals.get("cost"), traces=traces
    )
    drawn.append(cost)
    queues = _queue_chart(window, end, goals.get("queue"), traces)
    if queues is not None:
        drawn.append(queues)
    traces.turn()
    moments = marks(events, end)
    # the charts a stage's goal is drawn on first: in view when the row scrolls sideways
    return [_marked(c, moments) for c in sorted(drawn, key=lambda c: c.goal is None)]


def _marked(c: Chart, moments: tuple[Mark, ...]) -> Chart:
    return Chart(
        c.key, c.points, c.top, c.latest, moments, c.lines, c.goal, c.name, c.shift, c.drawn
    )


def goal_levels(conditions: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Chart key → level, from a stage's (metric, threshold) conditions; the first wins."""
    levels: dict[str, float] = {}
    for metric, threshold in conditions:
        if metric in GOAL_CHARTS:
            key, factor = GOAL_CHARTS[metric]
            levels.setdefault(key, threshold * factor)
    return levels
