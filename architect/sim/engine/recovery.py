"""How a running simulation heals: health checks, failover and repair.

Each is a SimPy process over one ``Simulation``: a load balancer's health
checks, promoting a replica when a primary stays down, and whoever operates
the site bringing a failed node back.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from typing import TYPE_CHECKING

import simpy

from architect.sim.engine.stations import Station
from architect.sim.model.topology import NodeSpec
from architect.sim.snapshot import EventKind

if TYPE_CHECKING:
    from architect.sim.simulation import Simulation


def health_checks(sim: Simulation, spec: NodeSpec) -> Generator[simpy.Event, None, None]:
    """Every ``health_check_s``: take failed backends out of rotation, put healed ones back."""
    while spec.id in sim.specs:
        yield sim.env.timeout(spec.health_check_s)
        balancer = sim.balancers.get(spec.id)
        if balancer is None or sim.stations[spec.id].failed:
            continue
        removed, restored = balancer.check()
        for backend in removed:
            sim.record(
                EventKind.BACKEND_REMOVED,
                node=spec.id,
                peer=backend.id,
                count=backend.errors_while_down,
                since=backend.failed_at,
            )
        for backend in restored:
            sim.record(EventKind.BACKEND_ADDED, node=spec.id, peer=backend.id)


def failover(
    sim: Simulation, primary: Station, delay_s: float
) -> Generator[simpy.Event, None, None]:
    """Promote a replica ``delay_s`` after ``primary`` failed, if it is still down."""
    yield sim.env.timeout(delay_s)
    data = sim.tier_holding(primary)
    if data is None or not primary.failed:
        return
    lost_before = data.lost_writes
    new = data.promote(sim.now)
    if new is None:
        return
    sim.specs[new.id] = replace(sim.specs[new.id], role="primary")
    sim.specs[primary.id] = replace(sim.specs[primary.id], role="replica")
    sim.rewire()
    sim.record(
        EventKind.PRIMARY_PROMOTED,
        node=new.id,
        peer=primary.id,
        count=data.lost_writes - lost_before,
        since=primary.failed_at,
    )


def repair(
    sim: Simulation, node_id: str, failure: int, failed_at: float
) -> Generator[simpy.Event, None, None]:
    """Bring ``node_id`` back ``repair_s`` after its ``failure``-th failure, unless it came
    back already."""
    # Re-read the operations each check: turning automation on speeds up a pending repair.
    while sim.now < failed_at + sim.operations.repair_s:
        yield sim.env.timeout(min(1.0, failed_at + sim.operations.repair_s - sim.now))
        if sim._failures.get(node_id) != failure or node_id not in sim.specs:
            return
    if not sim.is_down(node_id):
        return
    sim.restore(node_id)
    ops = sim.operations
    who = "automated" if ops.automation else "manual" if ops.monitoring else "unmonitored"
    sim.record(EventKind.NODE_REPAIRED, node=node_id, since=round(failed_at, 3), text=who)
