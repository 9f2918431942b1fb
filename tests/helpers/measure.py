"""Long-run measures of a simulation after a warm-up, for the tests against theory.

``run`` warms a simulation up, resets the cumulative measures, runs on, and returns the
end-to-end mean and p99 (``Window.cumulative``), each station's utilisation
(``Station.areas``) and, when observed, each station's own sojourn and population
(``Observer``), never the 1 s panel window. ``database_rates`` runs a simulation on and
returns the requests each database (shard) completed a second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from architect.sim.engine.stations import Request, Station
from architect.sim.model.topology import Topology
from architect.sim.simulation import Simulation


class Observer:
    """Watches one station from outside, like Ciw's trackers: no engine hooks.

    Per-station sojourn: ``arrive`` and ``forward`` are wrapped on the instance,
    so every request's time at this station is known. Population: ``observe``
    samples ``busy + len(queue)`` at Poisson instants, which by PASTA
    estimates the time-average number in the station without bias. The two are
    independent measurements, which is what makes Little's law a real check.
    """

    def __init__(self, sim: Simulation, station: Station) -> None:
        self.env = sim.env
        self.station = station
        self.arrived: dict[int, float] = {}
        self.reset()
        self._arrive = station.arrive
        station.arrive = self._on_arrive  # type: ignore[method-assign]

    def reset(self) -> None:
        self.since = float(self.env.now)
        self.completed = 0
        self.sojourn_s = 0.0
        self.samples = 0
        self.population = 0

    def wrap_forward(self) -> None:
        """After ``rewire``: see each request leave."""
        self._forward = self.station.forward
        self.station.forward = self._on_forward

    def _on_arrive(self, request: Request) -> None:
        self.arrived[id(request)] = self.env._now  # ``now`` without the property: every hop
        self._arrive(request)

    def _on_forward(self, request: Request) -> None:
        self.completed += 1
        self.sojourn_s += self.env._now - self.arrived.pop(id(request))
        self._forward(request)

    def sample(self) -> None:
        """What ``observe`` does for every observer at each sampling instant (inlined there)."""
        self.samples += 1
        self.population += self.station.busy + len(self.station.queue)

    @property
    def little(self) -> tuple[float, float]:
        """(L sampled, lambda * W measured) over the stretch since ``reset``."""
        span = self.env.now - self.since
        return self.population / self.samples, self.sojourn_s / span


def observe(sim: Simulation, rate: float, seed: int) -> list[Observer]:
    """Observe every station; sample populations at Poisson rate ``rate``.

    The sampling instants are plain calls at set times (``Environment.call_later``, as
    the engine's own hops are), not a SimPy process: the same instants in the same order
    for a third of the cost (a process wakes through an event and its callbacks)."""
    rng = random.Random(seed)
    observers = [Observer(sim, station) for station in sim.stations.values()]
    sim.rewire()  # upstream stations now forward to the wrapped ``arrive``
    for observer in observers:
        observer.wrap_forward()
    env, gap = sim.env, rng.expovariate

    def sample(_: object) -> None:
        for observer in observers:  # Observer.sample, inlined
            station = observer.station
            observer.samples += 1
            observer.population += station.busy + len(station.queue)
        env.call_later(gap(rate), sample, None)

    env.call_later(gap(rate), sample, None)
    return observers


def database_rates(sim: Simulation, seconds: float) -> dict[str, float]:
    """Run ``seconds`` on; the requests each database station completed a second meanwhile."""
    databases = {i: s for i, s in sim.stations.items() if s.kind == "database"}
    before = {i: s.completed for i, s in databases.items()}
    sim.advance(seconds)
    return {i: (s.completed - before[i]) / seconds for i, s in databases.items()}


@dataclass(frozen=True)
class Run:
    """What one seed measured after its warm-up."""

    mean_ms: float
    p99_ms: float
    utilisation: dict[str, float]
    sojourn_ms: dict[str, float] = field(default_factory=dict)  # per station, when observed
    little: dict[str, tuple[float, float]] = field(default_factory=dict)  # when observed


def run(
    topology: Topology,
    seed: int,
    warm_up_s: float,
    measure_s: float,
    *,
    mode: str | None = None,
    observed: bool = False,
) -> Run:
    """Warm up for ``warm_up_s``, then measure ``measure_s`` simulated seconds.

    ``mode`` forces per-request or aggregate mode (default: the engine's choice);
    ``observed`` adds per-station sojourns and Little's law samples (per request only).
    """
    sim = Simulation(topology, seed=seed) if mode is None else Simulation(topology, seed, mode=mode)
    observers = observe(sim, rate=2000.0, seed=seed + 10_000) if observed else []
    sim.advance(warm_up_s)
    sim.window.reset_cumulative()
    areas = {i: s.areas() for i, s in sim.stations.items()}
    for observer in observers:
        observer.reset()
    sim.advance(measure_s)
    latency = sim.window.cumulative.latency
    (p99,) = latency.percentiles(0.99)
    utilisation = {}
    for node_id, station in sim.stations.items():
        busy, capacity = station.areas()
        utilisation[node_id] = (busy - areas[node_id][0]) / (capacity - areas[node_id][1])
    return Run(
        mean_ms=latency.mean(),
        p99_ms=p99,
        utilisation=utilisation,
        sojourn_ms={o.station.id: 1000.0 * o.sojourn_s / o.completed for o in observers},
        little={o.station.id: o.little for o in observers},
    )
