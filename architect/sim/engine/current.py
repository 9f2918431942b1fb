"""The architecture a running simulation has now, as a ``Topology``.

Commands change the simulation (servers added, resized, promoted...); this
reads the result back in the topology format, without the scripted events, so
that ``dump_topology(current_topology(sim))`` loads and runs again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.model.topology import Topology

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def current_topology(sim: Engine) -> Topology:
    """Nodes, sizes, links, traffic (at the current rate) and policies; no events."""
    return Topology(
        name=sim.name,
        nodes=tuple(sim.specs.values()),
        links=tuple(sim.links),
        traffic=replace(sim.traffic, rps=sim.rps),
        network=sim.network,
        operations=sim.operations,
        sharding=sim.sharding,
        autoscaling=sim.autoscaling,
    )
