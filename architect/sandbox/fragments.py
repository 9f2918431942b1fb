"""Snapshot → HTML, from the named partials of ``sandbox/sandbox.html``.

``page_context`` builds the context for the whole page and for every fragment;
``Renderer`` remembers what the browser already has, so forms (and the keyboard
focus inside them) are re-sent only when their content changes.
"""

from __future__ import annotations

import math
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from architect.sandbox.charts import charts
from architect.sandbox.diagram import layout, tier_order
from architect.sandbox.event_text import event_text
from architect.sandbox.live import SPEEDS, LiveStatus
from architect.sim.sizes import SIZES
from architect.sim.topology import MAX_REPLICAS
from architect.sim.snapshot import Event, NodeKind, NodeStatus, Snapshot

TEMPLATE = "sandbox/sandbox.html"
TICK_PARTS = ("status", "metrics", "charts", "diagram", "nodestats")
FORM_PARTS = ("controls", "nodes")
KIND_LABELS = {
    NodeKind.DNS: _("DNS"),
    NodeKind.CDN: _("CDN"),
    NodeKind.LOAD_BALANCER: _("Load balancer"),
    NodeKind.WEB_SERVER: _("Web server"),
    NodeKind.CACHE: _("Cache"),
    NodeKind.DATABASE: _("Database"),
}
DATABASE_LABELS = {"primary": _("Database (primary)"), "replica": _("Database (replica)")}
CHART_LABELS = {
    "throughput": (_("Served requests per second"), _("req/s")),
    "p99": (_("p99 latency"), _("ms")),
    "errors": (_("Error rate"), "%"),
}
RESIZABLE = (NodeKind.WEB_SERVER, NodeKind.DATABASE)


def num(value: float, places: int = 0) -> str:
    """A number formatted for the active language, with thousands grouping."""
    return number_format(round(value, places), places, force_grouping=True)


def metrics(s: Snapshot) -> dict[str, str]:
    latency = s.latency
    blank = "—"
    return {
        "offered": num(s.offered_rps),
        "served": num(s.throughput_rps),
        "p50": num(latency.p50_ms) if latency else blank,
        "p95": num(latency.p95_ms) if latency else blank,
        "p99": num(latency.p99_ms) if latency else blank,
        "error_rate": num(s.error_rate * 100, 1),
        "availability": num((1 - s.error_rate) * 100, 1),
        "cost": num(s.cost_per_month),
        **building_blocks(s),
    }


def building_blocks(s: Snapshot) -> dict[str, str]:
    """Hit ratios of the cache and the CDN, and replication's losses, where they apply."""
    kinds = {n.kind for n in s.nodes}
    ratios = dict(s.hit_ratios)
    shown: dict[str, str] = {}
    for kind, name in ((NodeKind.CACHE, "cache_hits"), (NodeKind.CDN, "cdn_hits")):
        node_id = next((n.id for n in s.nodes if n.kind == kind), None)
        if node_id is not None:
            ratio = ratios.get(node_id)
            shown[name] = "—" if ratio is None else num(ratio * 100)
    if any(n.role == "replica" for n in s.nodes):
        shown["stale_reads"] = num(s.stale_reads)
        shown["lost_writes"] = num(s.lost_writes)
    return shown


def node_rows(s: Snapshot) -> list[dict[str, Any]]:
    return [
        {
            "id": n.id,
            "kind": DATABASE_LABELS.get(n.role, KIND_LABELS[n.kind]),
            "size": n.size.upper(),
            "size_name": n.size,
            "workers": num(n.workers) if n.workers else "—",
            "busy": f"{num(n.utilization * 100)} %" if n.workers else "—",
            "queued": n.queued,
            "down": n.status == NodeStatus.DOWN,
            "in_rotation": n.in_rotation,
            "resizable": n.kind in RESIZABLE and bool(n.size),
        }
        for n in sorted(s.nodes, key=tier_order)
    ]


def controls(s: Snapshot) -> dict[str, Any]:
    rps = max(s.offered_rps, 1.0)
    return {
        "rps": round(s.offered_rps),
        "rps_log": f"{math.log10(rps):.2f}",
        **offers(s),
        "speeds": SPEEDS,
    }


def offers(s: Snapshot) -> dict[str, bool]:
    """Which change buttons make sense for this architecture."""
    kinds = [n.kind for n in s.nodes]
    has_database = NodeKind.DATABASE in kinds
    replicas = sum(n.role == "replica" for n in s.nodes)
    has_cdn = NodeKind.CDN in kinds
    return {
        "can_remove_web": kinds.count(NodeKind.WEB_SERVER) > 1,
        "can_add_lb": NodeKind.LOAD_BALANCER not in kinds,
        "can_separate": not has_database,
        "can_add_cache": has_database and NodeKind.CACHE not in kinds,
        "can_add_replica": has_database and replicas < MAX_REPLICAS,
        "can_add_cdn": not has_cdn,
        "can_purge_cdn": has_cdn,
        "can_version_assets": has_cdn,
    }


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


def page_context(
    s: Snapshot,
    status: LiveStatus,
    *,
    error: str = "",
    new_events: tuple[Event, ...] = (),
) -> dict[str, Any]:
    """Everything any partial of the sandbox needs."""
    return {
        "snapshot": s,
        "status": status,
        "sim_time": num(s.t, 1),
        "ratio": num(status.ratio, 1) if status.ratio is not None else "",
        "metrics": metrics(s),
        "charts": [
            {"chart": c, "label": CHART_LABELS[c.key][0], "unit": CHART_LABELS[c.key][1],
             "top": num(c.top), "latest": "—" if c.latest is None else num(c.latest)}
            for c in charts(s.series, s.t)
        ],
        "diagram": layout(s),
        "nodes": node_rows(s),
        "sizes": size_choices(),
        "events": [event_text(e) for e in reversed(s.events)],
        "new_events": [event_text(e) for e in reversed(new_events)],
        "error": error,
        "controls": controls(s),
    }


def render(parts: tuple[str, ...] | list[str], context: dict[str, Any]) -> str:
    """The named partials, concatenated: each is one element with an id and hx-swap-oob."""
    return "".join(render_to_string(f"{TEMPLATE}#{part}", context) for part in parts)


def forms_key(s: Snapshot, status: LiveStatus) -> tuple[object, ...]:
    """Changes exactly when the controls or the node table's forms would change."""
    nodes = tuple((n.id, n.kind, n.role, n.status, n.size, n.in_rotation) for n in s.nodes)
    offered = tuple(offers(s).items())
    return (nodes, offered, status.paused, status.speed, round(s.offered_rps))


class Renderer:
    """Fragments for one browser, sending forms and events only when they changed."""

    def __init__(self) -> None:
        self._forms_key: tuple[object, ...] | None = None
        self._last_event: Event | None = None

    def render(
        self, s: Snapshot, status: LiveStatus, *, error: str | None = None, full: bool = False
    ) -> str:
        """Fragments for this snapshot; ``error`` "" clears the error area, None leaves it."""
        parts: list[str] = []
        key = forms_key(s, status)
        if full or key != self._forms_key:
            parts += FORM_PARTS
            self._forms_key = key
        parts += TICK_PARTS
        new_events = self._new_events(s.events)
        if full or new_events is None:
            parts.append("events")
            new_events = ()
        elif new_events:
            parts.append("events_new")
        self._last_event = s.events[-1] if s.events else None
        if error is not None:
            parts.append("error")
        context = page_context(s, status, error=error or "", new_events=new_events)
        return render(parts, context)

    def _new_events(self, events: tuple[Event, ...]) -> tuple[Event, ...] | None:
        """Events after the last one sent; None when the log must be redrawn."""
        if self._last_event is None:
            return events if events else ()
        for index in range(len(events) - 1, -1, -1):
            if events[index] == self._last_event:
                return events[index + 1 :]
        return None
