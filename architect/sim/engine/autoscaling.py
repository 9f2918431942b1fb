"""Autoscaling the web tier: a policy that looks every ``interval_s`` (from a random phase).

It measures the mean utilisation of the web servers in rotation since its last
look and asks for ``ceil(servers × utilisation / target)`` of them, within
``min`` and ``max``. New servers boot for ``warmup_s`` before the load balancer
sends them anything; when fewer would do, the newest server is removed, one per
look, so the tier does not flap.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from architect.sim.engine.arrivals import seed_for
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

SCALE_IN_BELOW = 0.7  # of the target: remove a server only when clearly idle


class Autoscaler:
    """Runs as a SimPy process for the whole simulation; acts only when enabled."""

    def __init__(self, sim: Engine) -> None:
        self.sim = sim
        self.booting: set[str] = set()
        self._areas: dict[str, tuple[float, float]] = {}
        self._calm_after = 0.0  # no scaling in before this time (servers just joined)
        sim.env.process(self._run())

    def _run(self) -> Generator[simpy.Event, None, None]:
        sim = self.sim
        # The first look at a random phase from the policy's own seeded stream, so a surge
        # at any moment waits anything in [0, interval_s) for it.
        phase = random.Random(seed_for(sim.seed, "autoscaler")).random()
        yield sim.env.timeout(phase * sim.autoscaling.interval_s)
        while True:
            if sim.autoscaling.enabled and sim.balancer is not None:
                self._look()
            yield sim.env.timeout(sim.autoscaling.interval_s)

    def utilization(self) -> float | None:
        """Mean utilisation of the web servers in rotation since the last look."""
        sim = self.sim
        assert sim.balancer is not None
        busy = capacity = 0.0
        areas: dict[str, tuple[float, float]] = {}
        for station in sim.balancer.in_rotation:
            areas[station.id] = now = station.areas()
            then = self._areas.get(station.id, now)  # joined since the last look: from now on
            busy, capacity = busy + now[0] - then[0], capacity + now[1] - then[1]
        self._areas = areas
        return busy / capacity if capacity > 0 else None

    def _look(self) -> None:
        sim = self.sim
        policy = sim.autoscaling
        utilization = self.utilization()
        if utilization is None:
            return
        serving = len(sim.balancer.in_rotation) if sim.balancer else 0
        have = serving + len(self.booting)
        want = min(
            max(math.ceil(serving * utilization / policy.target_utilization), policy.min),
            policy.max,
        )
        if want > have and sim.data is not None:
            added = [sim.add_web_server(join_balancer=False) for _ in range(want - have)]
            self.booting.update(added)
            sim.env.process(self._warm_up(added))
            sim.record(
                EventKind.SCALED_OUT, count=len(added), value=utilization, text=",".join(added)
            )
        elif (
            want < have
            and utilization < SCALE_IN_BELOW * policy.target_utilization
            and not self.booting
            and sim.now >= self._calm_after
        ):
            newest = [i for i in sim.web_server_ids() if i not in self.booting][-1]
            if len(sim.web_server_ids()) > 1:
                sim.remove_node(newest)
                sim.rewire()
                sim.record(EventKind.SCALED_IN, node=newest, value=utilization)

    def _warm_up(self, node_ids: list[str]) -> Generator[simpy.Event, None, None]:
        yield self.sim.env.timeout(self.sim.autoscaling.warmup_s)
        sim = self.sim
        for node_id in node_ids:
            self.booting.discard(node_id)
            if node_id in sim.specs and sim.specs[node_id].kind == NodeKind.WEB_SERVER:
                sim.join_balancer(node_id)
                self._areas[node_id] = sim.stations[node_id].areas()
        self._calm_after = sim.now + sim.autoscaling.interval_s
