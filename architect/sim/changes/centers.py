"""Data centers from the sandbox: opening one, and commands that change every one.

The sandbox's data centers are copies of one design, as real sites deploy the same
stack in each region. ``AddDataCenter`` copies a center (load balancer, web
servers, cache, databases, …) into a new one named after its region, switches
geoDNS on and gives the new region a share of the users. Each center keeps its
own copy of the data; writes reach the others ``dc_sync_ms`` later (see
``architect.sim.engine.geo``).

With several centers, the commands that grow the architecture (a web server, a
cache, a replica, a session store, a message queue, the balancing algorithm)
change every center the same way, so the centers stay copies; ``AddShard``
splits the data in every center by itself. Commands that name a node change
that node only; removing a named web server happens in its own center.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from architect.sim.blocks import OUTSIDE_CENTERS
from architect.sim.commands import (
    AddCache,
    AddDataCenter,
    AddMessageQueue,
    AddReplica,
    AddSessionStore,
    AddWebServer,
    Command,
    CommandError,
    RemoveWebServer,
    SetBalancing,
)
from architect.sim.engine.arrivals import seed_for
from architect.sim.engine.geo import CrossCenterSync, GeoDns
from architect.sim.model.limits import (
    HOME_REGION,
    MAX_CENTERS,
    MAX_NODES,
    MAX_WEB_SERVERS,
    REGIONS,
)
from architect.sim.model.topology import NodeSpec
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

EVERYWHERE = (AddWebServer, AddCache, AddReplica, AddSessionStore, AddMessageQueue, SetBalancing)

V = TypeVar("V")
Handler = Callable[["Engine", Command], None]


def apply(sim: Engine, command: Command, here: Handler) -> None:
    """Carry out ``command``: ``here`` changes the focused center (``sim.focus``)."""
    several = len(sim.centers) > 1
    if isinstance(command, AddDataCenter):
        add_data_center(sim, command.center, command.region)
    elif several and isinstance(command, RemoveWebServer) and command.node_id in sim.specs:
        _in_center(sim, sim.specs[command.node_id].dc, command, here)
    elif several and (isinstance(command, EVERYWHERE) or command == RemoveWebServer()):
        _in_every_center(sim, command, here)
    else:
        here(sim, command)


def _in_center(sim: Engine, center: str, command: Command, here: Handler) -> None:
    focus, sim.focus = sim.focus, center
    try:
        here(sim, command)
    finally:
        sim.focus = focus


def _in_every_center(sim: Engine, command: Command, here: Handler) -> None:
    """Check what would fail in a later center first, then change each center in turn."""
    webs = [_count(sim, c, NodeKind.WEB_SERVER) for c in sim.centers]
    if isinstance(command, AddWebServer) and sum(webs) + len(sim.centers) > MAX_WEB_SERVERS:
        raise CommandError(
            "too_many_web_servers", f"at most {MAX_WEB_SERVERS} web servers", limit=MAX_WEB_SERVERS
        )
    if isinstance(command, RemoveWebServer) and min(webs) <= 1:
        raise CommandError("last_web_server", "the last web server cannot be removed")
    for center in sim.centers:
        _in_center(sim, center, command, here)


def _count(sim: Engine, center: str, kind: NodeKind) -> int:
    return sum(spec.kind == kind and spec.dc == center for spec in sim.specs.values())


def add_data_center(sim: Engine, center: str, region: str) -> None:
    """Copy data center ``center`` ("": the first) into a new one in ``region``."""
    source = center or sim.centers[0]
    nodes = _check(sim, source, region)
    if sim.centers == [""]:
        _name_first_center(sim, HOME_REGION)
        source = HOME_REGION
    old_prefix = f"{source}-" if source != sim.centers[0] else ""

    def new_id(node_id: str) -> str:
        return f"{region}-{node_id.removeprefix(old_prefix)}"

    ids = {spec.id for spec in nodes}
    for spec in nodes:
        sim.add_node(replace(spec, id=new_id(spec.id), dc=region))
    sim.links += [(new_id(a), new_id(b)) for a, b in list(sim.links) if a in ids and b in ids]
    sim.links.append((sim.dns_id, new_id(sim.entries[source].id)))
    sim.centers.append(region)
    _route_by_region(sim, region)
    sim.rewire()
    sim.record(EventKind.CENTER_ADDED, text=region, peer=source, count=len(nodes))


def _check(sim: Engine, source: str, region: str) -> list[NodeSpec]:
    """The nodes to copy, or a ``CommandError`` saying why there can be no new center."""
    if len(sim.centers) >= MAX_CENTERS:
        raise CommandError(
            "too_many_centers", f"at most {MAX_CENTERS} data centers", limit=MAX_CENTERS
        )
    if region not in REGIONS:
        raise CommandError(
            "unknown_region", f"the region must be one of {', '.join(REGIONS)}", region=region
        )
    if source not in sim.centers:
        raise CommandError("unknown_center", f'there is no data center "{source}"', center=source)
    if region in [c or HOME_REGION for c in sim.centers]:
        raise CommandError(
            "center_exists", f"there is already a data center in {region}", center=region
        )
    nodes = [s for s in sim.specs.values() if s.kind not in OUTSIDE_CENTERS and s.dc == source]
    if not any(s.kind == NodeKind.LOAD_BALANCER for s in nodes):
        raise CommandError(
            "center_needs_load_balancer",
            "a data center needs a load balancer first: geoDNS points at each one's",
        )
    if not any(s.kind == NodeKind.DATABASE for s in nodes):
        raise CommandError(
            "center_needs_database",
            "a data center needs a database server of its own first: its data is copied",
        )
    webs = sum(s.kind == NodeKind.WEB_SERVER for s in sim.specs.values())
    copied = sum(s.kind == NodeKind.WEB_SERVER for s in nodes)
    if webs + copied > MAX_WEB_SERVERS:
        raise CommandError(
            "too_many_web_servers", f"at most {MAX_WEB_SERVERS} web servers", limit=MAX_WEB_SERVERS
        )
    if len(sim.specs) + len(nodes) > MAX_NODES:
        raise CommandError("too_many_nodes", f"at most {MAX_NODES} nodes", limit=MAX_NODES)
    return nodes


def _name_first_center(sim: Engine, name: str) -> None:
    """A site with one unnamed data center: it stands in ``name`` now."""
    for node_id, spec in list(sim.specs.items()):
        if spec.kind not in OUTSIDE_CENTERS:
            sim.specs[node_id] = replace(spec, dc=name)
    sim.centers[0] = name
    sim.focus = name
    _rename_key(sim.data_by_center, "", name)
    _rename_key(sim.entries, "", name)
    _rename_key(sim.journeys, "", name)


def _rename_key(mapping: dict[str, V], old: str, new: str) -> None:
    if old in mapping:
        mapping[new] = mapping.pop(old)


def _route_by_region(sim: Engine, region: str) -> None:
    """Switch geoDNS on; the new region gets as many users as an average one."""
    regions = dict(sim.traffic.regions) or {sim.centers[0]: 1.0}
    regions.setdefault(region, sum(regions.values()) / len(regions))
    sim.set_mix(replace(sim.traffic, regions=tuple(regions.items())))
    sim.specs[sim.dns_id] = replace(sim.specs[sim.dns_id], geo_routing=True)
    if sim.sync is None:
        sim.sync = CrossCenterSync(sim.network.dc_sync_ms / 1000.0)
    rng = sim.geo.rng if sim.geo is not None else random.Random(seed_for(sim.seed, "regions"))
    sim.geo = GeoDns(
        sim.centers,
        sim.traffic.regions,
        geo_routing=True,
        is_up=lambda c: not sim.entries[c].failed,
        rng=rng,
    )
