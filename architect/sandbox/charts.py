"""Rolling charts of the last 60 simulated seconds as SVG polyline points.

Served (with what was offered), latency percentiles, errors, the busiest nodes'
utilisation, the caches' hit ratios, the monthly cost and the queues (the jobs waiting on
the message queue, the requests waiting at the nodes with the longest queues): each a
main line, perhaps more lines on the same scale, a stage's goal as a level line, and the
window's failures, recoveries and the learner's changes marked on its time axis. The
time axis ends at the last closed second, so a chart changes once a simulated second.

The points are at absolute simulated time, moved into the window by the chart's ``shift``
(``chart_points``): a renderer's ``Traces`` carry each line from one second to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, sub
from typing import cast

from architect.sandbox.chart_points import (
    HEIGHT,
    MAX_KEPT,
    WIDTH,
    WINDOW_S,
    Row,
    Traces,
    points,
    shift,
)
from architect.sim.snapshot import Event, EventKind, SeriesPoint

NODE_LINES = (
    3  # the busiest nodes drawn on the utilisation chart, the deepest queues on the queue chart
)
JOBS = "jobs"  # the queue chart's line of jobs waiting on the message queue
PERCENT = 100.0  # top of a chart in percent of a whole
GOAL_LABEL_ROOM = 20.0  # the height a goal's label (24 units, static/css) needs above its line
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
        return "20" if near_top else "-4"


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
# A stage's topic, the chart that shows what it teaches, after its goal's charts: the hit
# ratios when its scenario fails a cache or the CDN, else the chart its solution's first
# telling action moves (topic_chart).
FAILED_TOPICS = {"cache": "hits", "cdn": "hits", "message_queue": "queue"}
ACTION_TOPICS = {
    "add_cache": "hits",
    "set_cache": "hits",
    "add_cdn": "hits",
    "set_cdn": "hits",
    "add_message_queue": "queue",
    "set_workers": "queue",
    "add_web_server": "utilization",
    "add_load_balancer": "utilization",
    "separate_database": "utilization",
    "add_replica": "utilization",
    "add_shard": "utilization",
    "resize": "utilization",
    "set_autoscaling": "utilization",
    "isolate_hot_key": "utilization",
    "denormalise": "utilization",
}


def topic_chart(topology: Mapping[str, object], solution: Sequence[Mapping[str, object]]) -> str:
    """The chart of a stage's topic ("" for none), from its run topology (plain data, its
    scenario's events folded in) and its solution's actions."""
    kinds = {
        n.get("id"): n.get("kind") for n in cast(list[dict[str, str]], topology.get("nodes", []))
    }
    for event in cast(list[dict[str, object]], topology.get("events") or []):
        if event.get("action") == "fail" and (
            key := FAILED_TOPICS.get(str(kinds.get(str(event.get("node")))))
        ):
            return key
    return next(
        (ACTION_TOPICS[a] for step in solution if (a := str(step.get("action"))) in ACTION_TOPICS),
        "",
    )


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


def polyline(
    series: Sequence[SeriesPoint], value: Value, now: float
) -> tuple[str, float, float | None]:
    """Points (at absolute time: ``shift(now)`` places them), top of scale and latest value
    of one measure over the window ending at ``now``."""
    window = [p for p in series if now - p.t <= WINDOW_S]
    values = _values(window, value)
    top = nice_ceiling(max((v for _, v in values), default=0.0))
    latest = value(window[-1]) if window else None
    ts, vs = zip(*values, strict=True) if values else ((), ())
    return " ".join(points(ts, vs, top)), top, latest


# What the charts read from a closed second (``_read``), by position: its time, served,
# offered, p99, p95, p50, errors in percent, cost, the message queue's jobs, and each node's
# utilisation and each cache's hit ratio in percent and each node's queue as (names, values).
T, SERVED, OFFERED, P99, P95, P50, ERRORS, COST, JOBS_WAITING, USED, HITS, QUEUED = range(12)


def _read(p: SeriesPoint) -> Row:
    latency = p.latency
    return (
        p.t,
        p.throughput_rps,
        p.offered_rps,
        p.p99_ms,
        None if latency is None else latency.p95_ms,
        None if latency is None else latency.p50_ms,
        p.error_rate * 100,
        p.cost_per_month,
        None if p.queue_depth is None else float(p.queue_depth),
        _per_node(p.utilization, PERCENT),
        _per_node(p.hit_ratios, PERCENT),
        _per_node(p.queued),
    )


_NODES: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple of node ids for every second


def _per_node(
    pairs: Sequence[tuple[str, float]], factor: float | None = None
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The nodes' ids (one tuple for all seconds) and their values times ``factor`` (as
    they are without one: the same objects, no new ones to keep)."""
    names = tuple(map(_NAME, pairs))
    if len(_NODES) > MAX_KEPT:
        _NODES.clear()
    values = tuple(map(_VALUE, pairs)) if factor is None else tuple([v * factor for _, v in pairs])
    return _NODES.setdefault(names, names), values


@dataclass(frozen=True, slots=True)
class Measured:
    """One measure over the window: the times and values of the points that have it, and
    its value in the last point."""

    ts: Sequence[float]
    vs: Sequence[float]
    latest: float | None


def measured(ts: Sequence[float], vs: Sequence[float | None]) -> Measured:
    """The measure with values ``vs`` at times ``ts`` (None where a second has none)."""
    latest = vs[-1] if vs else None
    if None not in vs:
        return Measured(ts, cast(Sequence[float], vs), latest)
    pairs = [(t, v) for t, v in zip(ts, vs, strict=True) if v is not None]
    kept_ts, kept_vs = zip(*pairs, strict=True) if pairs else ((), ())
    return Measured(kept_ts, kept_vs, latest)


@dataclass(frozen=True, slots=True)
class _Frame:
    """What every chart of one closed second shares: the window's end and times, each
    time's age, and the renderer's traces."""

    end: float
    ts: tuple[float, ...]
    ages: tuple[float, ...]
    traces: Traces

    def drawn(self, m: Measured) -> tuple[object, ...]:
        """What a line looks like: each point's age and value."""
        ages = self.ages if m.ts is self.ts else tuple(map(sub, repeat(self.end), m.ts))
        return ages, tuple(m.vs)


def chart(
    key: str,
    frame: _Frame,
    first: Measured,
    others: Mapping[str, Measured] | None = None,
    *,
    top: float | None = None,
    goal: float | None = None,
    name: str = "",
) -> Chart:
    """One chart of ``first`` and the ``others`` on one scale (``top``, else the nicest
    number above every value and the goal)."""
    others = others or {}
    traces = frame.traces
    highest = max((max(m.vs) for m in (first, *others.values()) if m.vs), default=0.0)
    scale = top or nice_ceiling(max(highest, goal or 0.0))
    lines = tuple(
        Line(n, traces.points((key, n), m.ts, m.vs, scale), m.latest, frame.drawn(m))
        for n, m in others.items()
    )
    points = traces.points((key, name), first.ts, first.vs, scale)
    drawn = frame.drawn(first)
    return Chart(key, points, scale, first.latest, (), lines, goal, name, shift(frame.end), drawn)


def _by_node(
    ts: tuple[float, ...], split: Sequence[tuple[tuple[str, ...], tuple[float, ...]]]
) -> dict[str, Measured]:
    """Each node's values of a per-node measure (``_per_node`` of each second) over the
    window, in the order the nodes first appear."""
    if not split:
        return {}
    names = list(map(_NAME, split))
    if names.count(names[0]) == len(names):  # the usual: the same nodes in every second
        columns = zip(*map(_VALUE, split), strict=True)
        return {node: Measured(ts, vs, vs[-1]) for node, vs in zip(names[0], columns, strict=True)}
    pairs: dict[str, list[tuple[float, float]]] = {}
    for t, (nodes, values) in zip(ts, split, strict=True):
        for node, value in zip(nodes, values, strict=True):
            pairs.setdefault(node, []).append((t, value))
    last = dict(zip(*split[-1], strict=True))
    return {
        node: Measured([t for t, _ in p], [v for _, v in p], last.get(node))
        for node, p in pairs.items()
    }


def _busiest(columns: dict[str, Measured]) -> list[str]:
    """The nodes highest at their peak over the window, most first (at most NODE_LINES)."""
    peak = {node: max(0.0, max(m.vs)) for node, m in columns.items()}
    return sorted(peak, key=lambda n: -peak[n])[:NODE_LINES]


def _queue_chart(
    frame: _Frame, jobs: Sequence[float | None], queued: dict[str, Measured], goal: float | None
) -> Chart | None:
    """Jobs waiting on the message queue (the main line, which a queue-depth goal judges)
    and the requests waiting at the nodes with the deepest queues; without a message queue
    the deepest node's queue is the main line."""
    lines = {node: queued[node] for node in _busiest(queued)}
    if any(v is not None for v in jobs):
        return chart("queue", frame, measured(frame.ts, jobs), lines, goal=goal, name=JOBS)
    if not lines:
        return None
    first, *others = lines
    return chart("queue", frame, lines[first], {n: lines[n] for n in others}, name=first)


def _percent_chart(
    key: str, frame: _Frame, columns: dict[str, Measured], nodes: list[str], goal: float | None
) -> Chart:
    """A per-node share (utilisation, hit ratio) of ``nodes`` in percent, the first of them
    the main line."""
    first, *others = nodes
    lines = {node: columns[node] for node in others}
    return chart(key, frame, columns[first], lines, top=PERCENT, goal=goal, name=first)


def charts(
    series: Sequence[SeriesPoint],
    now: float,
    events: Sequence[Event] = (),
    goals: Mapping[str, float] | None = None,
    traces: Traces | None = None,
    topic: str = "",
) -> list[Chart]:
    """The charts that apply to this run, on a time axis ending at the last closed second
    (``now`` until one has closed), each with ``goals`` (chart key → level) and the marks;
    those with a goal first, then the ``topic``'s (``topic_chart``). ``traces``: what this
    caller drew at the last closed second (its lines are moved on from there), kept for
    the next call."""
    end = series[-1].t if series else now
    window = [p for p in series if end - p.t <= WINDOW_S]
    goals = goals or {}
    traces = traces or Traces()
    rows = traces.rows(window, _read)
    column = list(zip(*rows, strict=True)) if rows else [()] * (QUEUED + 1)
    ts = column[T]
    frame = _Frame(end, ts, tuple(map(sub, repeat(end), ts)), traces)
    drawn = [
        chart(
            "throughput",
            frame,
            measured(ts, column[SERVED]),
            {"offered": measured(ts, column[OFFERED])},
            goal=goals.get("throughput"),
        ),
        chart(
            "latency",
            frame,
            measured(ts, column[P99]),
            {"p95": measured(ts, column[P95]), "p50": measured(ts, column[P50])},
            goal=goals.get("latency"),
        ),
        chart("errors", frame, measured(ts, column[ERRORS]), goal=goals.get("errors")),
    ]
    used = _by_node(ts, column[USED])
    hits = _by_node(ts, column[HITS])
    for key, columns, nodes in (("utilization", used, _busiest(used)), ("hits", hits, [*hits])):
        if nodes:
            drawn.append(_percent_chart(key, frame, columns, nodes, goals.get(key)))
    drawn.append(chart("cost", frame, measured(ts, column[COST]), goal=goals.get("cost")))
    queues = _queue_chart(
        frame, column[JOBS_WAITING], _by_node(ts, column[QUEUED]), goals.get("queue")
    )
    if queues is not None:
        drawn.append(queues)
    traces.turn()
    moments = marks(events, end)
    # the charts a stage's goal is drawn on first, then its topic's: in view when the row
    # scrolls sideways
    first = sorted(drawn, key=lambda c: (c.goal is None, c.key != topic))
    return [_marked(c, moments) for c in first]


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
