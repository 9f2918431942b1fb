"""Commands on the web tier: web servers, the load balancer, sessions, the CDN.

Each handler checks, then returns the change (see ``architect.sim.changes.common``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.changes.common import Change, add_behind_web_servers
from architect.sim.commands import CommandError
from architect.sim.model import presets
from architect.sim.model.limits import BALANCING_ALGORITHMS, CDN_ASSETS, MAX_WEB_SERVERS
from architect.sim.model.validate import autoscaling_problems
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def add_web_server(sim: Engine) -> Change:
    web_ids = sim.web_server_ids()
    if len(web_ids) >= MAX_WEB_SERVERS:
        raise CommandError(
            "too_many_web_servers",
            f"at most {MAX_WEB_SERVERS} web servers",
            limit=MAX_WEB_SERVERS,
        )
    if not sim.first_of(NodeKind.DATABASE):
        raise CommandError(
            "data_on_web_server",
            f"move the data to a database server first: a new web server could not see "
            f"the data held inside {web_ids[0]}",
            node=web_ids[0],
        )

    def change() -> None:
        node_id = sim.add_web_server()
        if not sim.first_of(NodeKind.LOAD_BALANCER):
            sim.record(EventKind.NO_TRAFFIC, node=node_id, peer=web_ids[0])

    return change


def remove_web_server(sim: Engine, node_id: str) -> Change:
    """Remove ``node_id``, or the newest web server when it is ""."""
    web_ids = sim.web_server_ids()
    node_id = node_id or web_ids[-1]
    if node_id not in web_ids:
        raise CommandError("not_a_web_server", f'"{node_id}" is not a web server', node=node_id)
    if len(web_ids) == 1:
        raise CommandError("last_web_server", "the last web server cannot be removed")

    def change() -> None:
        if node_id == web_ids[0] and not sim.first_of(NodeKind.LOAD_BALANCER):
            # Without a load balancer DNS points at the first web server; move it.
            sim.set_links((a, web_ids[1] if b == node_id else b) for a, b in sim.links)
        sim.remove_node(node_id)
        sim.rewire()
        sim.record(EventKind.NODE_REMOVED, node=node_id)

    return change


def add_load_balancer(sim: Engine) -> Change:
    if sim.first_of(NodeKind.LOAD_BALANCER):
        raise CommandError("load_balancer_exists", "there is already a load balancer")

    def change() -> None:
        spec = presets.load_balancer()
        sim.add_node(spec)
        dns, cdn = sim.dns_id, sim.first_of(NodeKind.CDN)
        # DNS (and the CDN's misses) reach the web servers through it now.
        front = [(dns, cdn), (cdn, spec.id)] if cdn else []
        behind = [(spec.id, web_id) for web_id in sim.web_server_ids()]
        rest = [(a, b) for a, b in sim.links if a not in (dns, cdn)]
        sim.set_links([(dns, spec.id), *behind, *front, *rest])
        sim.rewire()
        sim.record(EventKind.NODE_ADDED, node=spec.id)

    return change


def set_balancing(sim: Engine, algorithm: str) -> Change:
    lb_id = sim.first_of(NodeKind.LOAD_BALANCER)
    if not lb_id or lb_id not in sim.balancers:
        raise CommandError("no_load_balancer", "there is no load balancer yet")
    if algorithm not in BALANCING_ALGORITHMS:
        choices = ", ".join(BALANCING_ALGORITHMS)
        raise CommandError(
            "unknown_algorithm", f"the algorithm must be one of {choices}", algorithm=algorithm
        )

    def change() -> None:
        sim.set_algorithm(lb_id, algorithm)
        sim.record(EventKind.BALANCING_CHANGED, node=lb_id, text=algorithm)

    return change


def set_autoscaling(sim: Engine, enabled: bool, low: int, high: int, target: float) -> Change:
    policy = replace(sim.autoscaling, enabled=enabled, min=low, max=high, target_utilization=target)
    problems = autoscaling_problems(policy)
    if problems:
        raise CommandError("bad_autoscaling", "; ".join(str(p) for p in problems))
    if enabled and not sim.first_of(NodeKind.LOAD_BALANCER):
        raise CommandError("no_load_balancer", "there is no load balancer yet")

    def change() -> None:
        sim.set_autoscaling(policy)
        on = "on" if enabled else "off"
        sim.record(EventKind.AUTOSCALING_CHANGED, count=low, value=float(high), text=on)

    return change


def add_session_store(sim: Engine) -> Change:
    if sim.first_of(NodeKind.SESSION_STORE):
        raise CommandError("session_store_exists", "sessions are already in a shared store")

    def change() -> None:
        add_behind_web_servers(sim, presets.session_store(), EventKind.SESSIONS_SHARED)

    return change


def add_cdn(sim: Engine) -> Change:
    if sim.first_of(NodeKind.CDN):
        raise CommandError("cdn_exists", "there is already a CDN")

    def change() -> None:
        spec = presets.cdn()
        origin = sim.entry.id
        sim.add_node(spec)
        sim.connect([(sim.dns_id, spec.id), (spec.id, origin)], at=0)
        sim.rewire()
        sim.record(EventKind.NODE_ADDED, node=spec.id)

    return change


def _the_cdn(sim: Engine) -> str:
    cdn_id = sim.first_of(NodeKind.CDN)
    if not cdn_id:
        raise CommandError("no_cdn", "there is no CDN yet")
    return cdn_id


def purge_cdn(sim: Engine) -> Change:
    cdn_id = _the_cdn(sim)

    def change() -> None:
        sim.clear_store(cdn_id)
        sim.record(EventKind.CDN_PURGED, node=cdn_id)

    return change


def version_assets(sim: Engine) -> Change:
    cdn_id = _the_cdn(sim)

    def change() -> None:
        version = sim.version_assets()
        sim.record(EventKind.ASSETS_VERSIONED, node=cdn_id, count=version + 1)

    return change


def set_cdn(sim: Engine, assets: float) -> Change:
    """Serve only the most requested ``assets`` share through the CDN (the rest from the
    origin); what it holds of the others expires unused."""
    cdn_id = _the_cdn(sim)
    low, high = CDN_ASSETS
    if not low <= assets <= high:
        raise CommandError(
            "bad_cdn_assets", f"a share of the assets from {low:g} to {high:g}", low=low, high=high
        )

    def change() -> None:
        sim.update_spec(cdn_id, assets=assets)
        sim.rewire()
        sim.record(EventKind.CDN_SET, node=cdn_id, value=assets)

    return change
