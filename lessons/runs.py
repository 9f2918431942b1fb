"""Applying actions to a topology through the engine (for ``from: previous`` and solutions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from architect.sim.commands import Command
from architect.sim.model.topology import Topology
from architect.sim.simulation import Simulation


def applied(topology: Topology, commands: Iterable[Command]) -> Topology:
    """``topology`` (without its events) after ``commands`` at t = 0.

    Raises ``CommandError`` with ``.index``, the position of the refused command.
    """
    sim = Simulation(replace(topology, events=()), seed=1)
    for index, command in enumerate(commands):
        try:
            sim.apply(command)
        except Exception as error:
            error.index = index  # type: ignore[attr-defined]
            raise
    return sim.current_topology()
