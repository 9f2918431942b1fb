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

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.blocks import OUTSIDE_CENTERS
from architect.sim.changes.common import Change
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

Planner = Callable[["Engine", Command], Change]


def plan(sim: Engine, command: Command, here: Planner) -> Change:
    """Check ``command`` and return its change: ``here`` plans it in the focused center."""
    several = len(sim.centers) > 1
    if isinstance(command, AddDataCenter):
        return add_data_center(sim, command.center, command.region)
    if several and isinstance(command, RemoveWebServer) and command.node_id in sim.specs:
        return _in_center(sim, sim.specs[command.node_id].dc, command, here)
    if several and (isinstance(command, EVERYWHERE) or command == RemoveWebServer()):
        return _in_every_center(sim, command, here)
    return here(sim, command)


def _in_center(sim: Engine, center: str, command: Command, here: Planner) -> Change:
    """Checked and changed with data center ``center`` in focus."""
    with sim.focused_on(center):
        change = here(sim, command)

    def in_center() -> None:
        with sim.focused_on(center):
            change()

    return in_center


def _in_every_center(sim: Engine, command: Command, here: Planner) -> Change:
    """Check every center first (the totals, then each one), then change each in turn."""
    webs = [_count(sim, c, NodeKind.WEB_SERVER) for c in sim.centers]
    if isinstance(command, AddWebServer) and sum(webs) + len(sim.centers) > MAX_WEB_SERVERS:
        raise CommandError(
            "too_many_web_servers", f"at most {MAX_WEB_SERVERS} web servers", limit=MAX_WEB_SERVERS
        )
    if isinstance(command, RemoveWebServer) and min(webs) <= 1:
        raise CommandError("last_web_server", "the last web server cannot be removed")
    changes = [_in_center(sim, center, command, here) for center in sim.centers]

    def everywhere() -> None:
        for change in changes:
            change()

    return everywhere


def _count(sim: Engine, center: str, kind: NodeKind) -> int:
    return sum(spec.kind == kind and spec.dc == center for spec in sim.specs.values())


def add_data_center(sim: Engine, center: str, region: str) -> Change:
    """Copy data center ``center`` ("": the first) into a new one in ``region``."""
    source = center or sim.centers[0]
    nodes = _check(sim, source, region)

    def change() -> None:
        copied = source
        if sim.centers == [""]:
            sim.name_first_center(HOME_REGION)
            copied = HOME_REGION
        old_prefix = f"{copied}-" if copied != sim.centers[0] else ""

        def new_id(node_id: str) -> str:
            return f"{region}-{node_id.removeprefix(old_prefix)}"

        ids = {spec.id for spec in nodes}
        for spec in nodes:
            sim.add_node(replace(spec, id=new_id(spec.id), dc=region))
        sim.connect([(new_id(a), new_id(b)) for a, b in sim.links if a in ids and b in ids])
        sim.connect([(sim.dns_id, new_id(sim.entries[copied].id))])
        sim.open_center(region)
        sim.rewire()
        sim.record(EventKind.CENTER_ADDED, text=region, peer=copied, count=len(nodes))

    return change


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
