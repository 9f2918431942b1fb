"""Snapshot → HTML, from the named partials of ``sandbox/sandbox.html``.

``page_context`` builds the context for the whole page; ``Renderer`` builds only
what a tick needs and remembers what the browser already has, so a part is re-sent
only when its content changes (forms keep the keyboard focus; a quiet diagram costs
nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from architect.sandbox.chart_points import Traces
from architect.sandbox.charts import Chart, charts
from architect.sandbox.controls import allowed, controls
from architect.sandbox.diagram import layout, tier_order
from architect.sandbox.event_text import event_text
from architect.sandbox.live import LiveStatus
from architect.sandbox.metrics import help_items, panel, structure, values
from architect.sandbox.names import region_name
from architect.sandbox.numbers import num
from architect.sandbox.slots import SLOTTED, STATUS
from architect.sim.blocks import BLOCKS
from architect.sim.model.sizes import SIZES
from architect.sim.snapshot import (
    Event,
    NodeKind,
    NodeSnapshot,
    NodeStatus,
    Snapshot,
)

TEMPLATE = "sandbox/sandbox.html"
# then "metricvalues" and "nodestats": the changed values and cells
TICK_PARTS = ("status", "metrics", "charts", "diagram")
FORM_PARTS = ("controls", "nodes")
# Each kind's label is marked N_ in its block (architect.sim.blocks) and translated here.
KIND_LABELS = {kind: _(block.label) for kind, block in BLOCKS.items()}
DATABASE_LABELS = {"primary": _("Database (primary)"), "replica": _("Database (replica)")}
# What each kind of node does: the details a selected node shows (sandbox/node_detail.html).
ABOUT = {
    NodeKind.DNS: _("Turns the site's name into the address of a server or load balancer."),
    NodeKind.LOAD_BALANCER: _(
        "Spreads requests over the web servers and stops sending to one that fails its "
        "health check."
    ),
    NodeKind.CDN: _(
        "Serves static files from edge servers near the users; a miss asks the origin."
    ),
    NodeKind.WEB_SERVER: _("Runs the application: every dynamic request is worked here."),
    NodeKind.CACHE: _(
        "Keeps recent reads in memory: a hit answers without the database, a miss asks it."
    ),
    NodeKind.SESSION_STORE: _(
        "Holds the users' sessions outside the web servers, so any server can answer any user."
    ),
    NodeKind.MESSAGE_QUEUE: _("Keeps the jobs the web servers publish until a worker takes them."),
    NodeKind.WORKER_POOL: _("Workers that take jobs from the queue and do them in the background."),
    NodeKind.DATABASE: _(
        "Stores the data: the primary takes the writes, replicas copy them and answer reads."
    ),
}
SHARD_LABELS = {
    "primary": _("Database (primary, shard %(shard)d)"),
    "replica": _("Database (replica, shard %(shard)d)"),
}
CHART_LABELS = {  # the chart's name (its caption says the short one), its unit
    "throughput": (_("Served requests per second"), _("req/s")),
    "latency": (_("Latency percentiles"), _("ms")),
    "errors": (_("Error rate"), "%"),
    "utilization": (_("Busiest nodes' utilisation"), "%"),
    "hits": (_("Hit ratio"), "%"),
    "cost": (_("Monthly cost"), _("$/month")),
    "queue": (_("Queues: jobs and requests waiting"), _("waiting")),
}
CHART_CAPTIONS = {
    "throughput": _("Served"),
    "latency": _("p99 latency"),
    "errors": _("Error rate"),
    "utilization": _("Busiest"),
    "hits": _("Hit ratio"),
    "cost": _("Monthly cost"),
    "queue": _("Queue"),
}
# The metric whose explanation (``metrics.HELP``) a chart's caption opens.
CHART_HELP = {
    "throughput": "served",
    "latency": "p99",
    "errors": "error_rate",
    "utilization": "utilization",
    "hits": "cache_hits",
    "cost": "cost",
    "queue": "queued",
}
LINE_LABELS = {"": "", "offered": _("offered"), "p95": "p95", "p50": "p50", "jobs": _("jobs")}
# The metrics' and charts' fixed words, translated once per language (``labels``), not by
# a {% translate %} tag per word per tick.
LABELS = {
    "offered": _("Offered"),
    "served": _("Served"),
    "p50": _("p50 latency"),
    "p95": _("p95 latency"),
    "p99": _("p99 latency"),
    "errors": _("Errors"),
    "availability": _("Availability"),
    "cost": _("Monthly cost"),
    "cache_hits": _("Cache hit ratio"),
    "utilization": _("Utilisation"),
    "queued": _("Queues"),
    "cdn_hits": _("CDN hit ratio"),
    "stale_reads": _("Stale reads"),
    "lost_writes": _("Lost writes"),
    "sessions_lost": _("Sessions lost"),
    "jobs_published": _("Published"),
    "jobs_done": _("Done"),
    "jobs_waiting": _("Waiting in the queue"),
    "jobs_p99": _("Job p99 latency"),
    "jobs_failed": _("Not published"),
    "mean": _("Mean latency"),
    "workers": _("Workers"),
    "size": _("Size"),
    "node_cost": _("Cost a month"),
    "state": _("State"),
    "req_s": _("req/s"),
    "ms": _("ms"),
    "so_far": _("so far"),
    "jobs_s": _("jobs/s"),
    "jobs": _("jobs"),
    "minus_60_s": _("−60 s"),
    "now": _("now"),
    "minus_30_s": _("−30 s"),
    "seconds_ago": _("%(s)s s ago"),
    "goal": _("goal"),
    "more_charts": _("More charts: %(charts)s"),
    "chart_keys": _(
        "Focus a chart and use the arrow keys, or point at it, to read its values; "
        "a level line is the stage's goal."
    ),
    "metrics": _("Metrics"),
    "background_jobs": _("Background jobs"),
    "charts": _("Last 60 simulated seconds"),  # also the time axis's title
    "marks": _(
        "Upright lines: a failure (solid), a recovery (long dashes), a change you made (dots)."
    ),
    "paused": _("Paused"),
    "running": _("Running"),
    "aggregate": _("Aggregate mode: queues advanced in 1 ms steps"),
    "per_request": _("Simulating every request"),
    "speed": _("speed %(speed)s×"),  # the status line's clock
    "time": _("simulated time %(t)s s"),
}


@lru_cache(maxsize=8)
def labels(language: str | None) -> dict[str, str]:
    """``LABELS`` in ``language`` (the active one when called: the key only caches it)."""
    return {key: str(text) for key, text in LABELS.items()}


def kind_label(n: NodeSnapshot) -> str:
    """“Web server”, “Database (replica)”, “Database (primary, shard 2)”…"""
    if n.kind != NodeKind.DATABASE or n.role not in DATABASE_LABELS:
        return str(KIND_LABELS[n.kind])
    if n.shard >= 0:
        return SHARD_LABELS[n.role] % {"shard": n.shard}
    return str(DATABASE_LABELS[n.role])


def node_rows(s: Snapshot) -> list[dict[str, Any]]:
    balanced = any(n.kind == NodeKind.LOAD_BALANCER for n in s.nodes)
    return [
        {
            "id": n.id,
            "kind": kind_label(n),
            "size": n.size.upper(),
            "size_name": n.size,
            "workers": num(n.workers) if n.workers else "—",
            "cost": num(n.cost_per_month),
            "busy": busy(n),
            "queued": n.queued,
            "down": n.status == NodeStatus.DOWN,
            "in_rotation": n.in_rotation,
            "booting": balanced and not n.in_rotation and n.status == NodeStatus.UP,
            "resizable": "resize" in n.actions,
            "pool": "set_workers" in n.actions,
            "can_fail": "fail" in n.actions,
            "can_restore": "restore" in n.actions,
            "worker_count": n.workers,
            "center": region_name(n.dc) if n.dc else "",
            "about": ABOUT[n.kind],
            # its own work per request (the engine measures latency end to end only)
            "work": _("about %(ms)s ms, plus any wait in its queue")
            % {"ms": figure(BLOCKS[n.kind].preset.get("service_ms", 0.0))},
        }
        for n in sorted(s.nodes, key=tier_order)
    ]


def busy(n: NodeSnapshot, language: str | None = None) -> str:
    """How busy a node's workers are, e.g. "40 %" (— without workers)."""
    return f"{num(n.utilization * 100, 0, language)} %" if n.workers else "—"


def node_stats(s: Snapshot, language: str | None = None) -> list[dict[str, Any]]:
    """The node table's live cells, in its order."""
    language = language or get_language()
    return [
        {"id": n.id, "busy": busy(n, language), "queued": n.queued}
        for n in sorted(s.nodes, key=tier_order)
    ]


def size_choices() -> list[dict[str, str]]:
    """Each size with what it buys and costs, for the resize menus."""
    return [
        {
            "name": size.name,
            "label": _("%(size)s · $%(cost)s/month")
            % {"size": size.name.upper(), "cost": num(size.cost_per_month)},
        }
        for size in SIZES.values()
    ]


def figure(value: float, language: str | None = None) -> str:
    """A chart's number: whole above 10, else with one decimal when it has one (0.5 %)."""
    whole = value >= 10 or value == int(value)
    return num(value, 0, language) if whole else num(value, 1, language)


@lru_cache(maxsize=8)
def chart_words(language: str | None) -> dict[str, Any]:
    """The charts' fixed words in ``language`` (the active one when called), translated
    once per language like ``labels``."""
    return {
        "charts": {
            key: (str(label), str(unit), str(CHART_CAPTIONS[key]))
            for key, (label, unit) in CHART_LABELS.items()
        },
        "lines": {key: str(text) for key, text in LINE_LABELS.items()},
        "described": str(_("%(label)s chart, scale up to %(top)s %(unit)s, now %(latest)s")),
        "goal": str(_("; goal %(goal)s")),
    }


def node_names(s: Snapshot) -> dict[str, str]:
    """How the charts name a node whose id does not say its data center, when there are
    several (the first center's "web-2" beside "asia-web-2"): its id and center, as the
    servers table shows them ("web-2 (US East)")."""
    return {
        n.id: f"{n.id} ({region_name(n.dc)})"
        for n in s.nodes
        if n.dc and not n.id.startswith(f"{n.dc}-")
    }


def chart_item(
    c: Chart,
    words: dict[str, Any] | None = None,
    language: str | None = None,
    nodes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One chart with its caption's words and figures, its lines' names and its goal
    (``words``, ``language``: the active language's, when the caller has them; ``nodes``:
    ``node_names``)."""
    language = language or get_language()
    words = words or chart_words(language)
    names = {**words["lines"], **nodes} if nodes else words["lines"]
    label, unit, caption = words["charts"][c.key]
    top = figure(c.top, language)
    latest = "—" if c.latest is None else figure(c.latest, language)
    goal = "" if c.goal is None else figure(c.goal, language)
    described = words["described"] % {"label": label, "top": top, "unit": unit, "latest": latest}
    if goal:
        described += words["goal"] % {"goal": goal}
    return {
        "chart": c,
        "label": label,
        "caption": f"{caption} · {names.get(c.name, c.name)}" if c.name else caption,
        "unit": unit,
        "top": top,
        "middle": figure(c.top / 2, language),
        "latest": latest,
        "help": CHART_HELP[c.key],
        "goal": goal,
        "lines": [
            {"name": names.get(line.name, line.name), "line": line, "index": i + 1}
            for i, line in enumerate(c.lines)
        ],
        "aria_label": described,
    }


def chart_items_of(
    s: Snapshot,
    goals: dict[str, float] | None = None,
    traces: Traces | None = None,
    topic: str = "",
) -> list[dict[str, Any]]:
    """The charts of ``s`` with their words (``traces``: the lines as last drawn; ``topic``:
    the chart after the goal's, charts.topic_chart)."""
    language = get_language()
    words = chart_words(language)
    drawn = charts(s.series, s.t, s.events, goals, traces, topic)
    nodes = node_names(s)
    return [chart_item(c, words, language, nodes) for c in drawn]


def engine_share(share: float | None, language: str | None = None) -> str:
    """The share of real time the engine needs, in percent: "35", or "< 1"."""
    percent = (share or 0) * 100
    return num(percent, 0, language) if percent >= 1 else "< 1"


def clock_context(s: Snapshot, status: LiveStatus, language: str | None = None) -> dict[str, Any]:
    """What the status line shows: run state, speed, simulated time, how far behind
    (``language``: the active one, when the caller has it already)."""
    language = language or get_language()
    words = labels(language)
    sim_time = num(s.t, 1, language)
    return {
        "snapshot": s,
        "status": status,
        "label": words,
        "sim_time": sim_time,
        "clock": {
            "speed": words["speed"] % {"speed": status.speed},
            "time": words["time"] % {"t": sim_time},
        },
        "aggregate": s.mode
        == "aggregate",  # traffic as flows, not single requests (architect.sim.flows.aggregate)
        "ratio": num(status.ratio, 1, language) if status.ratio is not None else "",
        "engine_share": engine_share(status.engine_share, language),
    }


def live_context(
    s: Snapshot, status: LiveStatus, chart_items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What a tick may redraw: the status line, metrics, charts, diagram and the node
    table's live cells (``nodes`` here holds only each node's id, busy and queue);
    ``chart_items``: the charts when the caller has them already."""
    language = get_language()
    return {
        **clock_context(s, status, language),
        "metrics": values(s, s.settings, language),
        "charts": chart_items if chart_items is not None else chart_items_of(s),
        "diagram": layout(s),
        "nodes": node_stats(s, language),
    }


def form_context(
    s: Snapshot, status: LiveStatus, offered: frozenset[str] | None = None
) -> dict[str, Any]:
    """What the forms need: the controls and the full node table."""
    return {
        "nodes": node_rows(s),
        "sizes": size_choices(),
        "controls": controls(s, s.settings, offered),
    }


def page_context(
    s: Snapshot,
    status: LiveStatus,
    *,
    error: str = "",
    new_events: tuple[Event, ...] = (),
    offered: frozenset[str] | None = None,
    links: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything any partial of the sandbox needs; ``offered`` limits the controls drawn
    to those action names (None: every control, as on /sandbox/); ``links``: the stage
    that teaches each metric (``lessons.outlines.metric_links``)."""
    context = live_context(s, status)
    return {
        **context,
        **panel(context),
        "metric_help": help_items(context["label"], links or {}),
        **form_context(s, status, offered),
        "events": [event_text(e) for e in reversed(s.events)],
        "new_events": [event_text(e) for e in reversed(new_events)],
        "error": error,
    }


# What each tick part reads from ``live_context``: the part is re-sent when this changes.
TICK_KEYS: dict[str, Callable[[dict[str, Any]], object]] = {
    "status": lambda c: (
        c["status"].paused,
        c["status"].speed,
        c["status"].behind and (c["ratio"], c["status"].cause, c["engine_share"]),
        c["sim_time"],
        c["snapshot"].mode,
    ),
    "metrics": structure,  # its values are sent on their own ("metricvalues")
    "charts": lambda c: c["charts"],
    "diagram": lambda c: c["diagram"],
}


def render(parts: tuple[str, ...] | list[str], context: dict[str, Any]) -> str:
    """The named partials, concatenated: each is one element with an id and hx-swap-oob.
    The parts a tick sends most are slot-memoised (``slots.SLOTTED``)."""
    return "".join(
        SLOTTED[part](context)
        if part in SLOTTED
        else render_to_string(f"{TEMPLATE}#{part}", context)
        for part in parts
    )


def forms_key(s: Snapshot, status: LiveStatus) -> tuple[object, ...]:
    """Changes exactly when the controls or the node table's forms would change."""
    nodes = tuple(
        (n.id, n.kind, n.role, n.shard, n.status, n.size, n.workers, n.in_rotation, n.dc)
        for n in s.nodes
    )
    offered = tuple(sorted(allowed(s)))
    return (nodes, offered, status.paused, status.speed, s.settings, round(s.offered_rps))


def figures_key(s: Snapshot) -> tuple[object, ...]:
    """Changes when a simulated second closes or the events change: what the figures
    (metrics, charts, diagram, node cells) are drawn from. The charts end at the last
    closed second (``charts.charts``) and the judge reads closed seconds, so within a
    second only the status line's clock moves."""
    return (math.floor(s.t), len(s.events), s.events[-1] if s.events else None)


class Renderer:
    """Fragments for one browser: each part is sent only when what it shows changed
    (htmx keeps a part that a message leaves out), everything when ``full``. The figures
    (metrics, charts, diagram, node cells) are drawn when a simulated second closes, as
    the judge reads them; ticks within a second move only the status line's clock, unless
    the architecture, the controls or the events changed, or a message is answered. Of
    the charts only those whose drawing changed are sent (a chart alone is its own
    out-of-band swap), the whole row when the set of charts or its legend changes."""

    def __init__(
        self,
        offered: frozenset[str] | None = None,
        goals: dict[str, float] | None = None,
        topic: str = "",
    ) -> None:
        self.offered = offered
        self.goals = goals or {}  # chart key → a stage's goal level (charts.goal_levels)
        self.topic = topic  # the chart of the stage's topic, after the goal's (charts.topic_chart)
        self._charts: tuple[object, list[dict[str, Any]]] = ((), [])
        self._traces = Traces()  # the charts' lines as last drawn, moved on each second
        self._sent: dict[str, object] = {}  # part (or "forms") → the key of its last send
        self._language: str | None = None
        self._last_event: Event | None = None
        self._figures: tuple[object, ...] | None = None  # ``figures_key`` of the last draw

    def render(
        self, s: Snapshot, status: LiveStatus, *, error: str | None = None, full: bool = False
    ) -> str:
        """Fragments for this snapshot; ``error`` "" clears the error area, None leaves it."""
        language = get_language()
        if language != self._language:  # the parts sent so far are in another language
            full, self._language = True, language
        if full:
            self._sent = {}
        forms, figures = forms_key(s, status), figures_key(s)
        if not full and error is None and self._figures == figures and self._sent_forms(forms):
            return self._clock_only(s, status, language)
        self._figures = figures
        context = live_context(s, status, self._chart_items(s, figures))
        parts: list[str] = []
        if self._changed("forms", forms):
            parts += FORM_PARTS
            context.update(form_context(s, status, self.offered))
        parts += [
            part
            for part in TICK_PARTS
            if part != "charts" and self._changed(part, TICK_KEYS[part](context))
        ]
        parts += self._chart_parts(context)
        changed = self._changed_values(context["metrics"])
        if "metrics" in parts:  # the panel holds its values
            context.update(panel(context))
        elif changed:
            parts.append("metricvalues")
            context["changed_metrics"] = changed
        cells = self._changed_cells(context["nodes"])
        if cells and "nodes" not in parts:  # the node table holds its cells
            parts.append("nodestats")
            context["cells"] = cells
        new_events = self._new_events(s.events)
        if full or new_events is None:
            parts.append("events")
            context["events"] = [event_text(e) for e in reversed(s.events)]
        elif new_events:
            parts.append("events_new")
            context["new_events"] = [event_text(e) for e in reversed(new_events)]
        self._last_event = s.events[-1] if s.events else None
        if error is not None:
            parts.append("error")
            context["error"] = error
        return render(parts, context)

    def _sent_forms(self, forms: tuple[object, ...]) -> bool:
        return self._sent.get("forms") == forms

    def _clock_only(self, s: Snapshot, status: LiveStatus, language: str) -> str:
        """The status line, if it changed: the figures wait for the second to close."""
        context = clock_context(s, status, language)
        if not self._changed("status", TICK_KEYS["status"](context)):
            return ""
        return STATUS.render(context, language)

    def _chart_items(self, s: Snapshot, figures: tuple[object, ...]) -> list[dict[str, Any]]:
        """The charts, built again only when ``figures_key`` (or the language) changed."""
        key = (figures, self._language)
        if self._charts[0] != key:
            self._charts = (key, chart_items_of(s, self.goals, self._traces, self.topic))
        return self._charts[1]

    def _chart_parts(self, context: dict[str, Any]) -> list[str]:
        """ "charts" (the whole row) when the set of charts or the legend of its marks
        changed, else "chartitems" with the charts whose drawing changed (in
        ``changed_charts``), else nothing. Remembers each chart as sent either way."""
        items = context["charts"]
        changed = [item for item in items if self._changed(f"chart-{item['chart'].key}", item)]
        row = (tuple(item["chart"].key for item in items), bool(items and items[0]["chart"].marks))
        if self._changed("charts", row):
            return ["charts"]
        if changed:
            context["changed_charts"] = changed
            return ["chartitems"]
        return []

    def _changed(self, part: str, key: object) -> bool:
        """Whether ``part`` must be sent (its key differs from its last send's); remembers it."""
        if part in self._sent and self._sent[part] == key:
            return False
        self._sent[part] = key
        return True

    def _changed_values(self, shown: dict[str, str]) -> list[dict[str, str]]:
        """The metrics whose value differs from its last send; remembers them."""
        return [
            {"key": key, "value": value}
            for key, value in shown.items()
            if self._changed(f"metric-{key}", value)
        ]

    def _changed_cells(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows whose busy or queue cell differs from its last send; remembers them."""
        return [
            row for row in rows if self._changed(f"cell-{row['id']}", (row["busy"], row["queued"]))
        ]

    def _new_events(self, events: tuple[Event, ...]) -> tuple[Event, ...] | None:
        """Events after the last one sent; None when the log must be redrawn."""
        if self._last_event is None:
            return events if events else ()
        for index in range(len(events) - 1, -1, -1):
            if events[index] == self._last_event:
                return events[index + 1 :]
        return None
