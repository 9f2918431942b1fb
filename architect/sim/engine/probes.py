"""Per-station measures taken from outside the engine, for reports and tests.

The engine keeps only what the live panel needs on its hot path (completions
and busy-time areas per station); timing every request at every station cost
8-11 % of its speed, so it does not. A ``Probe`` adds those measures to one
simulation from outside, the way Ciw's trackers observe a network:

- time at the station (queue + service): ``arrive``, ``forward`` and
  ``on_error`` are wrapped on the station instance, so each request is stamped
  when it arrives and timed when it leaves (a refused or dropped request is
  forgotten, not timed);
- queue length over time: a SimPy process samples ``len(queue)`` every
  ``SAMPLE_S``; the mean of the samples estimates the time average.

``rewire`` replaces each station's ``forward``; the sampler notices and wraps
the new one, so the probe survives changes. Nothing here draws random numbers,
so a probed run is as repeatable as any other.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from architect.sim.engine.core import Engine
from architect.sim.engine.stations import Request, Sink, Station
from architect.sim.measures.histogram import Histogram

SAMPLE_S = 0.01


class StationProbe:
    """Times requests through one station and samples its queue."""

    def __init__(self, env: simpy.Environment, station: Station) -> None:
        self.env = env
        self.station = station
        self._arrived: dict[Request, float] = {}  # keyed by identity: Request defines no __eq__
        self._arrive = station.arrive
        self._on_error = station.on_error
        self._forward: Sink = station.forward
        station.arrive = self._on_arrive  # type: ignore[method-assign]
        station.on_error = self._on_drop
        station.forward = self._on_leave
        self.reset()

    def reset(self) -> None:
        """Start measuring afresh (requests already inside are timed when they leave)."""
        self.latency = Histogram()
        self.queue_samples = 0
        self.queue_total = 0

    @property
    def mean_queue(self) -> float:
        return self.queue_total / self.queue_samples if self.queue_samples else 0.0

    def sample(self) -> None:
        station = self.station
        if station.forward != self._on_leave:  # rewired since: watch the new route
            self._forward = station.forward
            station.forward = self._on_leave
        self.queue_samples += 1
        self.queue_total += len(station.queue)

    def _on_arrive(self, request: Request) -> None:
        self._arrived[request] = self.env.now
        self._arrive(request)

    def _on_drop(self, request: Request) -> None:
        self._arrived.pop(request, None)
        self._on_error(request)

    def _on_leave(self, request: Request) -> None:
        arrived = self._arrived.pop(request, None)
        if arrived is not None:
            self.latency.add((self.env.now - arrived) * 1000.0)
        self._forward(request)


class Probe:
    """A ``StationProbe`` on every station of a simulation, and their sampler; a station
    added during the run (a web server, the autoscaler's) is probed from its first sample."""

    def __init__(self, sim: Engine, sample_s: float = SAMPLE_S) -> None:
        self.sim = sim
        self.stations = {i: StationProbe(sim.env, s) for i, s in sim.stations.items()}
        self.sample_s = sample_s
        sim.env.process(self._sampler(sim.env))

    def reset(self) -> None:
        for probe in self.stations.values():
            probe.reset()

    def _sampler(self, env: simpy.Environment) -> Generator[simpy.Event, None, None]:
        while True:
            yield env.timeout(self.sample_s)
            for node_id, station in self.sim.stations.items():
                if node_id not in self.stations:
                    self.stations[node_id] = StationProbe(env, station)
            for probe in self.stations.values():
                probe.sample()
