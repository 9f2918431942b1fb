"""How a running simulation heals: health checks, failover and repair.

Each is a SimPy process over one running site: a load balancer's health
checks, promoting a replica when a primary stays down, and whoever operates
the site bringing a failed node back. ``Recoverable`` says what they may use of it.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Protocol

import simpy

from architect.sim.engine.balancer import Balancer
from architect.sim.engine.replication import DataTier
from architect.sim.engine.stations import Station
from architect.sim.engine.timeline import Environment
from architect.sim.model.topology import NodeSpec, Operations
from architect.sim.snapshot import EventKind


class Recoverable(Protocol):
    """What recovery reads and changes of the running simulation (``Engine`` is one)."""

    env: Environment
    specs: dict[str, NodeSpec]
    stations: dict[str, Station]
    balancers: dict[str, Balancer]
    operations: Operations

    @property
    def now(self) -> float: ...

    def record(self, kind: EventKind, **fields: object) -> None: ...

    def tier_holding(self, primary: Station) -> DataTier | None: ...

    def set_roles(self, primary: str, replica: str) -> None: ...

    def is_down(self, node_id: str) -> bool: ...

    def restore(self, node_id: str) -> None: ...


def health_checks(
    site: Recoverable, spec: NodeSpec, phase_s: float
) -> Generator[simpy.Event, None, None]:
    """Every ``health_check_s``, the first ``phase_s`` after the start: take failed backends
    out of rotation, put healed ones back.

    A random phase (drawn by the caller from the node's own seeded stream) is what real
    load balancers have: a failure at any moment waits anything in [0, health_check_s)
    for the next check, not always the same time.
    """
    delay = phase_s
    while spec.id in site.specs:
        yield site.env.timeout(delay)
        delay = spec.health_check_s
        balancer = site.balancers.get(spec.id)
        if balancer is None or site.stations[spec.id].failed:
            continue
        removed, restored = balancer.check()
        for backend in removed:
            site.record(
                EventKind.BACKEND_REMOVED,
                node=spec.id,
                peer=backend.id,
                count=backend.errors_while_down,
                since=backend.failed_at,
            )
        for backend in restored:
            site.record(EventKind.BACKEND_ADDED, node=spec.id, peer=backend.id)


def failover(
    site: Recoverable, primary: Station, delay_s: float
) -> Generator[simpy.Event, None, None]:
    """Promote a replica ``delay_s`` after ``primary`` failed, if it is still down."""
    yield site.env.timeout(delay_s)
    data = site.tier_holding(primary)
    if data is None or not primary.failed:
        return
    lost_before = data.lost_writes
    new = data.promote(site.now)
    if new is None:
        return
    site.set_roles(primary=new.id, replica=primary.id)
    site.record(
        EventKind.PRIMARY_PROMOTED,
        node=new.id,
        peer=primary.id,
        count=data.lost_writes - lost_before,
        since=primary.failed_at,
    )


class Repairs:
    """Whoever operates the site brings each failed node back, sooner or later."""

    def __init__(self, site: Recoverable) -> None:
        self.site = site
        self.failures: dict[str, int] = {}  # node id → how many times it failed

    def start(self, node_id: str) -> None:
        """``node_id`` just failed: its repair begins."""
        failure = self.failures[node_id] = self.failures.get(node_id, 0) + 1
        self.site.env.process(self._repair(node_id, failure, self.site.now))

    def _repair(
        self, node_id: str, failure: int, failed_at: float
    ) -> Generator[simpy.Event, None, None]:
        """Bring ``node_id`` back ``repair_s`` after its ``failure``-th failure, unless it came
        back already."""
        site = self.site
        # Re-read the operations each check: turning automation on speeds up a pending repair.
        while site.now < failed_at + site.operations.repair_s:
            yield site.env.timeout(min(1.0, failed_at + site.operations.repair_s - site.now))
            if self.failures.get(node_id) != failure or node_id not in site.specs:
                return
        if not site.is_down(node_id):
            return
        site.restore(node_id)
        ops = site.operations
        who = "automated" if ops.automation else "manual" if ops.monitoring else "unmonitored"
        site.record(EventKind.NODE_REPAIRED, node=node_id, since=round(failed_at, 3), text=who)
