"""What the sandbox's forms offer: which controls a stage shows, which actions make
sense for the architecture now, and the settings and limits the forms start from.

``allowed`` is the one place that decides which actions make sense now: once the
Snapshot carries the engine's own answer (``Snapshot.allowed``), it returns that.
The forms' limits (``min``, ``max``) are the action vocabulary's (``limits``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from architect.sandbox.diagram_text import centers
from architect.sandbox.names import STRATEGIES, region_name
from architect.sim.actions import limits
from architect.sim.commands import SPEEDS
from architect.sim.model.limits import HOME_REGION, MAX_CENTERS, REGIONS
from architect.sim.snapshot import NodeKind, NodeStatus, Settings, Snapshot

ALGORITHM_CHOICES: dict[
    str, Callable[[], str]
] = {  # short, for the menu; its hint and the event log explain them
    "round_robin": lambda: _("Round robin"),
    "least_connections": lambda: _("Least connections"),
    "sticky": lambda: _("Sticky sessions"),
}
EVICTION_CHOICES: dict[str, Callable[[], str]] = {
    "lru": lambda: _("LRU (least recently used)"),
    "lfu": lambda: _("LFU (least frequently used)"),
    "fifo": lambda: _("FIFO (oldest first)"),
}
SYNC_CHOICES: dict[str, Callable[[], str]] = {
    "async": lambda: _("asynchronously, a moment later"),
    "sync": lambda: _("synchronously, before the write is done"),
    "none": lambda: _("never (each center keeps its own writes)"),
}
CONTROL_GROUPS = {
    "traffic": ("set_traffic", "set_traffic_mix"),
    "web": (
        "add_web_server",
        "remove_web_server",
        "add_load_balancer",
        "add_session_store",
        "set_balancing",
        "set_autoscaling",
    ),
    "data": (
        "separate_database",
        "add_cache",
        "set_cache",
        "add_replica",
        "add_shard",
        "isolate_hot_key",
        "denormalise",
    ),
    "edge": ("add_cdn", "purge_cdn", "version_assets", "set_cdn"),
    "centers": ("add_data_center", "fail_data_center", "restore_data_center", "set_sync"),
    "jobs": ("add_message_queue", "set_workers"),
    "operations": ("set_operations",),
    "nodes": ("resize", "fail", "restore"),
}
CONTROL_ACTIONS = tuple(name for names in CONTROL_GROUPS.values() for name in names)
# A side of a comparison: every control but the traffic, which the run page sets for both.
WITHOUT_TRAFFIC = frozenset(CONTROL_ACTIONS) - frozenset(CONTROL_GROUPS["traffic"])
# Offered whatever the architecture (the engine says why when one is refused), or per
# node and per data center (the node table and the centers list decide which).
ALWAYS = ("set_traffic", "set_traffic_mix", "add_web_server", "set_operations")
PER_NODE = ("set_workers", "resize", "fail", "restore", "fail_data_center", "restore_data_center")


def shown(offered: frozenset[str] | None) -> dict[str, bool]:
    """Which controls to draw: every action in ``offered`` (None: all), and each group
    with at least one of them."""
    show = {name: offered is None or name in offered for name in CONTROL_ACTIONS}
    for group, names in CONTROL_GROUPS.items():
        show[f"{group}_group"] = any(show[name] for name in names)
    return show


def offer(show: dict[str, bool], can: frozenset[str]) -> dict[str, bool]:
    """Each control to draw now: shown on this page and allowed now; each group with one."""
    drawn = {name: show[name] and name in can for name in CONTROL_ACTIONS}
    for group, names in CONTROL_GROUPS.items():
        drawn[f"{group}_group"] = any(drawn[name] for name in names)
    return drawn


def controls(
    s: Snapshot, settings: Settings, offered: frozenset[str] | None = None
) -> dict[str, Any]:
    rps = max(s.offered_rps, 1.0)
    target_low, target_high = limits("set_autoscaling", "target_percent", form=True)
    return {
        "show": shown(offered),
        "offer": offer(shown(offered), allowed(s)),
        "rps": round(s.offered_rps),
        "rps_log": f"{math.log10(rps):.2f}",
        "rps_max": f"{limits('set_traffic', 'rps')[1]:.0f}",
        "speeds": SPEEDS,
        "mix": {
            "read_percent": round(settings.read_ratio * 100),
            "static_percent": round(settings.static_ratio * 100),
            "zipf_s": f"{settings.zipf_s:g}",
            "max_zipf_s": f"{limits('set_traffic_mix', 'zipf_s')[1]:g}",
        },
        "algorithms": [
            {"name": name, "label": label(), "selected": name == settings.algorithm}
            for name, label in ALGORITHM_CHOICES.items()
        ],
        "autoscaling": {
            "enabled": settings.autoscaling,
            "min": settings.autoscale_min,
            "max": settings.autoscale_max,
            "target_percent": round(settings.autoscale_target * 100),
            "limit": f"{limits('set_autoscaling', 'max')[1]:.0f}",
            "target_low": f"{target_low:g}",
            "target_high": f"{target_high:g}",
        },
        "operations": {"monitoring": settings.monitoring, "automation": settings.automation},
        "cache": cache_form(settings),
        "cdn": cdn_form(settings),
        "sync": [
            {"name": name, "label": label(), "selected": name == settings.dc_sync}
            for name, label in SYNC_CHOICES.items()
        ],
        "sharding": {
            "fixed": settings.sharding != "none",
            "strategy": settings.sharding,
            "shards": settings.shards,
            "strategies": [{"name": name, "label": label()} for name, label in STRATEGIES.items()],
        },
        "pools": [
            {"id": n.id, "workers": n.workers} for n in s.nodes if n.kind == NodeKind.WORKER_POOL
        ],
        "max_pool_workers": f"{limits('set_workers', 'workers')[1]:.0f}",
        "centers": data_centers(s),
    }


def cache_form(settings: Settings) -> dict[str, Any]:
    """The cache's TTL and eviction policy as the form starts from them."""
    low, high = limits("set_cache", "ttl_s")
    return {
        "ttl_s": f"{settings.cache_ttl_s:g}",
        "ttl_low": f"{low:g}",
        "ttl_high": f"{high:g}",
        "evictions": [
            {"name": name, "label": label(), "selected": name == settings.cache_eviction}
            for name, label in EVICTION_CHOICES.items()
        ],
    }


def cdn_form(settings: Settings) -> dict[str, Any]:
    """The share of assets the CDN serves, in percent, as the form starts from it."""
    low, high = limits("set_cdn", "assets_percent", form=True)
    return {
        "percent": f"{settings.cdn_assets * 100:g}",
        "low": f"{low:g}",
        "high": f"{high:g}",
    }


def data_centers(s: Snapshot) -> dict[str, Any]:
    """The data centers, each with whether it is down, and where a new one may open."""
    names = centers(s)
    taken = names or [HOME_REGION]
    return {
        "listed": [
            {
                "name": name,
                "label": region_name(name),
                "down": all(n.status == NodeStatus.DOWN for n in s.nodes if n.dc == name),
            }
            for name in names
        ],
        "home": region_name(HOME_REGION),
        "regions": [{"name": r, "label": region_name(r)} for r in REGIONS if r not in taken],
        "ready": _center_ready(s),
        "limit": MAX_CENTERS,
    }


def _center_ready(s: Snapshot) -> bool:
    """A second data center needs a load balancer and a database server first."""
    kinds = {n.kind for n in s.nodes}
    return NodeKind.LOAD_BALANCER in kinds and NodeKind.DATABASE in kinds


def allowed(s: Snapshot) -> frozenset[str]:
    """The actions whose controls make sense now: the engine's own answer, from the same
    checks ``apply`` makes (the snapshot's site-wide ``allowed``, each node's and each
    data center's ``actions``)."""
    per_node = {a for n in s.nodes for a in n.actions}
    per_center = {a for c in s.centers for a in c.actions}
    return frozenset(s.allowed | per_node | per_center)
