"""Commands on the web tier: web servers, the load balancer, sessions, the CDN.

Every handler checks first and changes second (see ``architect.sim.changes.dispatch``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.commands import CommandError
from architect.sim.model import presets
from architect.sim.model.limits import BALANCING_ALGORITHMS, MAX_WEB_SERVERS
from architect.sim.model.validate import autoscaling_problems
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def add_web_server_checked(sim: Engine) -> None:
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
    node_id = sim.add_web_server()
    if not sim.first_of(NodeKind.LOAD_BALANCER):
        sim.record(EventKind.NO_TRAFFIC, node=node_id, peer=web_ids[0])


def remove_web_server(sim: Engine, node_id: str) -> None:
    web_ids = sim.web_server_ids()
    node_id = node_id or web_ids[-1]
    if node_id not in web_ids:
        raise CommandError("not_a_web_server", f'"{node_id}" is not a web server', node=node_id)
    if len(web_ids) == 1:
        raise CommandError("last_web_server", "the last web server cannot be removed")
    if node_id == web_ids[0] and not sim.first_of(NodeKind.LOAD_BALANCER):
        # Without a load balancer DNS points at the first web server; move it.
        sim.links = [(a, web_ids[1] if b == node_id else b) for a, b in sim.links]
    sim.remove_node(node_id)
    sim.rewire()
    sim.record(EventKind.NODE_REMOVED, node=node_id)


def add_load_balancer(sim: Engine) -> None:
    if sim.first_of(NodeKind.LOAD_BALANCER):
        raise CommandError("load_balancer_exists", "there is already a load balancer")
    spec = presets.load_balancer()
    sim.add_node(spec)
    cdn_id = sim.first_of(NodeKind.CDN)
    sim.links = [(a, b) for a, b in sim.links if a != sim.dns_id and a != cdn_id]
    sim.links.insert(0, (sim.dns_id, spec.id))
    if cdn_id:
        sim.links[1:1] = [(sim.dns_id, cdn_id), (cdn_id, spec.id)]
    sim.links[1:1] = [(spec.id, web_id) for web_id in sim.web_server_ids()]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def set_balancing(sim: Engine, algorithm: str) -> None:
    lb_id = sim.first_of(NodeKind.LOAD_BALANCER)
    if not lb_id or lb_id not in sim.balancers:
        raise CommandError("no_load_balancer", "there is no load balancer yet")
    if algorithm not in BALANCING_ALGORITHMS:
        choices = ", ".join(BALANCING_ALGORITHMS)
        raise CommandError(
            "unknown_algorithm", f"the algorithm must be one of {choices}", algorithm=algorithm
        )
    sim.specs[lb_id] = replace(sim.specs[lb_id], algorithm=algorithm)
    sim.balancers[lb_id].algorithm = algorithm
    sim.record(EventKind.BALANCING_CHANGED, node=lb_id, text=algorithm)


def set_autoscaling(sim: Engine, enabled: bool, low: int, high: int, target: float) -> None:
    policy = replace(sim.autoscaling, enabled=enabled, min=low, max=high, target_utilization=target)
    problems = autoscaling_problems(policy)
    if problems:
        raise CommandError("bad_autoscaling", "; ".join(str(p) for p in problems))
    if enabled and not sim.first_of(NodeKind.LOAD_BALANCER):
        raise CommandError("no_load_balancer", "there is no load balancer yet")
    sim.autoscaling = policy
    sim.record(
        EventKind.AUTOSCALING_CHANGED, count=low, value=float(high), text="on" if enabled else "off"
    )


def add_session_store(sim: Engine) -> None:
    if sim.first_of(NodeKind.SESSION_STORE):
        raise CommandError("session_store_exists", "sessions are already in a shared store")
    spec = sim.placed(presets.session_store())
    sim.add_node(spec)
    sim.links += [(web_id, spec.id) for web_id in sim.web_server_ids()]
    sim.rewire()
    sim.record(EventKind.SESSIONS_SHARED, node=spec.id)


def add_cdn(sim: Engine) -> None:
    if sim.first_of(NodeKind.CDN):
        raise CommandError("cdn_exists", "there is already a CDN")
    spec = presets.cdn()
    origin = sim.entry.id if sim.entry else ""
    sim.add_node(spec)
    sim.links[0:0] = [(sim.dns_id, spec.id), (spec.id, origin)]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def the_cdn(sim: Engine) -> str:
    cdn_id = sim.first_of(NodeKind.CDN)
    if not cdn_id:
        raise CommandError("no_cdn", "there is no CDN yet")
    return cdn_id


def purge_cdn(sim: Engine) -> None:
    cdn_id = the_cdn(sim)
    sim.stores[cdn_id].clear()
    sim.record(EventKind.CDN_PURGED, node=cdn_id)


def version_assets(sim: Engine) -> None:
    cdn_id = the_cdn(sim)
    sim.asset_version += 1
    sim.rewire()
    sim.record(EventKind.ASSETS_VERSIONED, node=cdn_id, count=sim.asset_version + 1)
