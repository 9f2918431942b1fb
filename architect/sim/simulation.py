"""The simulation as the rest of the site uses it: build, apply commands, advance, describe.

``Simulation(topology, seed)`` validates and builds an ``Engine`` (architect.sim.engine)
and adds what works on it from above: the command handlers (``apply``, see
``architect.sim.changes``), aggregate mode above 20,000 req/s (``architect.sim.flows``),
the autoscaler, the scripted events, and the ``Snapshot`` that ``advance(dt)`` returns.
Same topology, same seed, same commands at the same times: the same snapshots.
"""

from __future__ import annotations

import random

from architect.sim.changes import dispatch as changes
from architect.sim.changes.allowed import allowed
from architect.sim.commands import Command
from architect.sim.engine import describe
from architect.sim.engine.arrivals import seed_for
from architect.sim.engine.autoscaling import Autoscaler
from architect.sim.engine.core import Engine
from architect.sim.engine.current import current_topology
from architect.sim.engine.describe import Allowed
from architect.sim.flows.aggregate import AUTO, AggregateTraffic
from architect.sim.model.topology import Topology
from architect.sim.scenario import Scenario
from architect.sim.snapshot import Settings, Snapshot


class Simulation(Engine):
    """One architecture under load, changed by commands, advanced in steps of simulated time."""

    aggregate: AggregateTraffic

    def __init__(self, topology: Topology, seed: int = 1, *, mode: str = AUTO) -> None:
        super().__init__(topology, seed)
        # auto: per request below a threshold, flows above it (see architect.sim.flows.aggregate)
        self.aggregate = AggregateTraffic(self, mode, random.Random(seed_for(seed, "aggregate")))
        self.set_rps(topology.traffic.rps)
        self.autoscaler = Autoscaler(self)
        self.scenario = Scenario(self.env, topology.events, self.apply, self.record)
        self._allowed, self._settings = Allowed(), Settings()
        self._revision_described = -1

    def apply(self, command: Command) -> None:
        """Carry out a command now, or raise ``CommandError`` and change nothing."""
        changes.apply(self, command)

    def advance(self, dt: float) -> Snapshot:
        """Run ``dt`` simulated seconds and describe the result."""
        self.run(dt)
        return self.snapshot()

    def current_topology(self) -> Topology:
        """The architecture as it is now, without scripted events (``engine.current``)."""
        return current_topology(self)

    def allowed(self) -> Allowed:
        """The actions that would succeed now (worked out again when the architecture moves)."""
        self._describe_architecture()
        return self._allowed

    def snapshot(self) -> Snapshot:
        """The state now, as an immutable ``Snapshot`` (see ``architect.sim.engine.describe``)."""
        self._describe_architecture()
        return describe.snapshot(self, self._allowed, self._settings)

    def _describe_architecture(self) -> None:
        """The allowed actions and the settings, again only when the site's revision moved."""
        if self._revision_described != self.revision:
            self._allowed, self._settings = allowed(self), describe.settings_of(self)
            self._revision_described = self.revision
