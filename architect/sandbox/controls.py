"""What the sandbox's forms offer: which controls a stage shows, which changes make
sense for the architecture now, and the current settings the forms start from."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from architect.sandbox.diagram_text import centers
from architect.sandbox.live import SPEEDS
from architect.sandbox.names import STRATEGIES, region_name
from architect.sandbox.protocol import MAX_ZIPF_S, TARGET_PERCENT
from architect.sim.model.limits import (
    HOME_REGION,
    MAX_CENTERS,
    MAX_POOL_WORKERS,
    MAX_REPLICAS,
    MAX_SHARDS,
    MAX_WEB_SERVERS,
    REGIONS,
)
from architect.sim.snapshot import NodeKind, NodeStatus, Settings, Snapshot

ALGORITHM_CHOICES: dict[
    str, Callable[[], str]
] = {  # short, for the menu; its hint and the event log explain them
    "round_robin": lambda: _("Round robin"),
    "least_connections": lambda: _("Least connections"),
    "sticky": lambda: _("Sticky sessions"),
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
    "data": ("separate_database", "add_cache", "add_replica", "add_shard"),
    "edge": ("add_cdn", "purge_cdn", "version_assets"),
    "centers": ("add_data_center", "fail_data_center", "restore_data_center"),
    "jobs": ("add_message_queue", "set_workers"),
    "operations": ("set_operations",),
    "nodes": ("resize", "fail", "restore"),
}
CONTROL_ACTIONS = tuple(name for names in CONTROL_GROUPS.values() for name in names)


def shown(offered: frozenset[str] | None) -> dict[str, bool]:
    """Which controls to draw: every action in ``offered`` (None: all), and each group
    with at least one of them."""
    show = {name: offered is None or name in offered for name in CONTROL_ACTIONS}
    for group, names in CONTROL_GROUPS.items():
        show[f"{group}_group"] = any(show[name] for name in names)
    return show


def controls(
    s: Snapshot, settings: Settings, offered: frozenset[str] | None = None
) -> dict[str, Any]:
    rps = max(s.offered_rps, 1.0)
    return {
        "show": shown(offered),
        "rps": round(s.offered_rps),
        "rps_log": f"{math.log10(rps):.2f}",
        **offers(s),
        "speeds": SPEEDS,
        "mix": {
            "read_percent": round(settings.read_ratio * 100),
            "static_percent": round(settings.static_ratio * 100),
            "zipf_s": f"{settings.zipf_s:g}",
            "max_zipf_s": f"{MAX_ZIPF_S:g}",
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
            "limit": MAX_WEB_SERVERS,
            "target_low": TARGET_PERCENT[0],
            "target_high": TARGET_PERCENT[1],
        },
        "operations": {"monitoring": settings.monitoring, "automation": settings.automation},
        "sharding": {
            "fixed": settings.sharding != "none",
            "strategy": settings.sharding,
            "shards": settings.shards,
            "strategies": [{"name": name, "label": label()} for name, label in STRATEGIES.items()],
        },
        "pools": [
            {"id": n.id, "workers": n.workers} for n in s.nodes if n.kind == NodeKind.WORKER_POOL
        ],
        "max_pool_workers": MAX_POOL_WORKERS,
        "centers": data_centers(s),
    }


def data_centers(s: Snapshot) -> dict[str, Any]:
    """The data centers, each with whether it is down, and where a new one may open."""
    names = centers(s)
    kinds = {n.kind for n in s.nodes}
    ready = NodeKind.LOAD_BALANCER in kinds and NodeKind.DATABASE in kinds
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
        "can_add": ready and len(taken) < MAX_CENTERS,
        "ready": ready,
        "limit": MAX_CENTERS,
    }


def offers(s: Snapshot) -> dict[str, bool]:
    """Which change buttons make sense for this architecture."""
    kinds = [n.kind for n in s.nodes]
    has_database = NodeKind.DATABASE in kinds
    has_lb = NodeKind.LOAD_BALANCER in kinds
    replicas = sum(n.role == "replica" and n.shard <= 0 for n in s.nodes)
    shards = len({n.shard for n in s.nodes if n.kind == NodeKind.DATABASE}) if has_database else 0
    has_cdn = NodeKind.CDN in kinds
    return {
        "can_remove_web": kinds.count(NodeKind.WEB_SERVER) > 1,
        "can_add_lb": not has_lb,
        "can_balance": has_lb,
        "can_share_sessions": has_lb and NodeKind.SESSION_STORE not in kinds,
        "can_autoscale": has_lb,
        "can_separate": not has_database,
        "can_add_cache": has_database and NodeKind.CACHE not in kinds,
        "can_add_replica": has_database and replicas < MAX_REPLICAS,
        "can_add_shard": has_database and shards < MAX_SHARDS,
        "can_add_cdn": not has_cdn,
        "can_purge_cdn": has_cdn,
        "can_version_assets": has_cdn,
        "can_add_queue": NodeKind.MESSAGE_QUEUE not in kinds,
    }
