"""Applying actions to a topology through the engine (for ``from: previous`` and solutions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from architect.sim.commands import Command
from architect.sim.engine import Simulation
from architect.sim.topology import Topology

HAS_EVENTS = "events" in Topology.__dataclass_fields__


def current_topology(sim: Simulation) -> Topology:
    """The architecture as it is now (``Simulation.current_topology`` when the engine has it)."""
    method = getattr(sim, "current_topology", None)
    if method is not None:
        return method()  # type: ignore[no-any-return]
    return Topology(  # fallback until branch ``events`` is merged
        name=sim.name,
        nodes=tuple(sim.specs.values()),
        links=tuple(sim.links),
        traffic=replace(sim.traffic, rps=sim.rps),
        network=sim.network,
        operations=sim.operations,
        sharding=sim.sharding,
        autoscaling=sim.autoscaling,
    )


def without_events(topology: Topology) -> Topology:
    return replace(topology, events=()) if HAS_EVENTS else topology  # type: ignore[call-arg]


def applied(topology: Topology, commands: Iterable[Command]) -> Topology:
    """``topology`` after ``commands`` at t = 0; raises ``CommandError`` (with ``.index``)."""
    sim = Simulation(without_events(topology), seed=1)
    for index, command in enumerate(commands):
        try:
            sim.apply(command)
        except Exception as error:
            error.index = index  # type: ignore[attr-defined]
            raise
    return current_topology(sim)
