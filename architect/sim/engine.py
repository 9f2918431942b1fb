"""The running simulation: arrivals, routing, health checks, measures.

``Simulation(topology, seed)`` validates and builds; ``apply(command)``
changes it (see ``architect.sim.changes``); ``advance(dt)`` runs simulated
time and returns an immutable ``Snapshot``. Same topology, same seed, same
commands at the same times: the same snapshots.
"""

from __future__ import annotations

import random
import zlib
from collections import deque
from collections.abc import Generator

import simpy
from simpy.events import Timeout

from architect.sim import changes
from architect.sim.balancer import Balancer
from architect.sim.commands import Command
from architect.sim.snapshot import Event, EventKind, NodeKind, NodeSnapshot, NodeStatus, Snapshot
from architect.sim.stations import Request, Station
from architect.sim.topology import NodeSpec, Topology, TopologyError, validate
from architect.sim.window import BUCKET_S, Window

EVENT_LOG_LENGTH = 100
EVENTS_IN_SNAPSHOT = 30
_WINDOW_SAMPLES = round(1.0 / BUCKET_S) + 1


def seed_for(seed: int, stream: str) -> int:
    """A stable seed for one named random stream (``hash()`` is salted per run)."""
    return zlib.crc32(f"{seed}:{stream}".encode())


class Simulation:
    """One architecture under load, advanced in steps of simulated time."""

    def __init__(self, topology: Topology, seed: int = 1) -> None:
        problems = validate(topology)
        if problems:
            raise TopologyError(problems)
        self.seed = seed
        self.name = topology.name
        self.env = simpy.Environment()
        self.window = Window()
        self.log: deque[Event] = deque(maxlen=EVENT_LOG_LENGTH)
        self.latency_ms = topology.network.latency_ms
        self.specs: dict[str, NodeSpec] = {}
        self.links: list[tuple[str, str]] = list(topology.links)
        self.stations: dict[str, Station] = {}
        self.dns_id = ""
        self.dns_failed = False
        self.balancer: Balancer | None = None
        self.entry: Station | None = None
        self._samples: dict[str, deque[tuple[int, float, float]]] = {}
        self._bucket_index = 0
        for spec in topology.nodes:
            self.add_node(spec)
        self.rewire()
        self._arrival_rng = random.Random(seed_for(seed, "arrivals"))
        self._arrival_generation = 0
        self.rps = 0.0
        self.set_rps(topology.traffic.rps)

    @property
    def now(self) -> float:
        return float(self.env.now)

    # -- building -------------------------------------------------------------

    def add_node(self, spec: NodeSpec) -> None:
        self.specs[spec.id] = spec
        if spec.kind == NodeKind.DNS:
            self.dns_id = spec.id
            return
        station = Station(
            self.env,
            spec.id,
            spec.kind,
            workers=spec.workers,
            service_ms=spec.service_ms,
            service_dist=spec.service_dist,
            queue_limit=spec.queue_limit,
            rng=random.Random(seed_for(self.seed, spec.id)),
            on_error=self._fail,
        )
        self.stations[spec.id] = station
        self._samples[spec.id] = deque([self._sample(station)], maxlen=_WINDOW_SAMPLES)
        if spec.kind == NodeKind.LOAD_BALANCER:
            self.balancer = Balancer(spec.algorithm, on_error=self._fail)
            self.env.process(self._health_checks(spec))

    def remove_node(self, node_id: str) -> None:
        """Take a node out; requests it holds still finish (a graceful drain)."""
        del self.specs[node_id]
        self.stations.pop(node_id, None)
        self._samples.pop(node_id, None)
        self.links = [link for link in self.links if node_id not in link]

    def rewire(self) -> None:
        """Point every station at where its finished requests go next."""
        targets: dict[str, list[str]] = {}
        for source, target in self.links:
            targets.setdefault(source, []).append(target)
        for node_id, station in self.stations.items():
            downstream = [self.stations[t] for t in targets.get(node_id, ())]
            if station.kind == NodeKind.LOAD_BALANCER:
                assert self.balancer is not None
                self.balancer.set_backends(downstream)
                station.forward = self.balancer.route
            elif downstream:
                station.forward = downstream[0].arrive
            else:
                station.forward = self._complete
        (entry_id,) = targets[self.dns_id]
        self.entry = self.stations[entry_id]

    # -- requests -----------------------------------------------------------

    def set_rps(self, rps: float) -> None:
        """Change the arrival rate now; the pending arrival is redrawn."""
        self.rps = rps
        self._arrival_generation += 1
        self._schedule_arrival(self._arrival_generation)

    def _schedule_arrival(self, generation: int) -> None:
        if self.rps > 0:
            delay = self._arrival_rng.expovariate(self.rps)
            timeout = Timeout(self.env, delay, generation)
            timeout.callbacks.append(self._on_arrival)  # type: ignore[union-attr]

    def _on_arrival(self, event: simpy.Event) -> None:
        generation = event._value
        if generation != self._arrival_generation:
            return
        self._schedule_arrival(generation)
        self.window.current.arrivals += 1
        request = Request(self.env.now)
        if self.dns_failed or self.entry is None:
            self._fail(request)
        else:
            self.entry.arrive(request)

    def _complete(self, request: Request) -> None:
        bucket = self.window.current
        bucket.served += 1
        elapsed_ms = (self.env.now - request.born) * 1000.0
        bucket.latency.add(elapsed_ms + 2.0 * request.hops * self.latency_ms)

    def _fail(self, request: Request) -> None:
        self.window.current.failed += 1

    # -- control logic --------------------------------------------------------

    def _health_checks(self, spec: NodeSpec) -> Generator[simpy.Event, None, None]:
        while spec.id in self.specs:
            yield self.env.timeout(spec.health_check_s)
            if self.balancer is None or self.stations[spec.id].failed:
                continue
            removed, restored = self.balancer.check()
            for backend in removed:
                self.record(
                    EventKind.BACKEND_REMOVED,
                    node=spec.id,
                    peer=backend.id,
                    count=backend.errors_while_down,
                    since=backend.failed_at,
                )
            for backend in restored:
                self.record(EventKind.BACKEND_ADDED, node=spec.id, peer=backend.id)

    def record(self, kind: EventKind, **fields: object) -> None:
        self.log.append(Event(round(self.now, 3), kind, **fields))  # type: ignore[arg-type]

    # -- time -----------------------------------------------------------------

    def apply(self, command: Command) -> None:
        """Carry out a command now, or raise ``CommandError`` and change nothing."""
        changes.apply(self, command)

    def advance(self, dt: float) -> Snapshot:
        """Run ``dt`` simulated seconds and describe the result."""
        target = self.env.now + max(dt, 0.0)
        while True:
            boundary = (self._bucket_index + 1) * BUCKET_S
            if boundary > target:
                break
            if boundary > self.env.now:
                self.env.run(until=boundary)
            self._close_bucket()
        if target > self.env.now:
            self.env.run(until=target)
        return self.snapshot()

    def _close_bucket(self) -> None:
        self._bucket_index += 1
        self.window.close_bucket(self.env.now)
        for node_id, station in self.stations.items():
            self._samples[node_id].append(self._sample(station))

    @staticmethod
    def _sample(station: Station) -> tuple[int, float, float]:
        busy, capacity = station.areas()
        return station.completed, busy, capacity

    # -- description ----------------------------------------------------------

    def snapshot(self) -> Snapshot:
        arrivals, served, error_rate = self.window.rates()
        nodes = tuple(self._node_snapshot(spec) for spec in self.specs.values())
        return Snapshot(
            t=round(self.now, 6),
            offered_rps=self.rps,
            arrivals_rps=arrivals,
            throughput_rps=served,
            error_rate=error_rate,
            latency=self.window.latency(),
            nodes=nodes,
            links=tuple(self.links),
            series=tuple(self.window.history),
            events=tuple(self.log)[-EVENTS_IN_SNAPSHOT:],
            cost_per_month=sum(spec.cost_per_month for spec in self.specs.values()),
            window_s=self.window.span_s,
        )

    def _node_snapshot(self, spec: NodeSpec) -> NodeSnapshot:
        station = self.stations.get(spec.id)
        if station is None:  # DNS: no queue of its own
            return NodeSnapshot(
                id=spec.id,
                kind=spec.kind,
                status=NodeStatus.DOWN if self.dns_failed else NodeStatus.UP,
                size="",
                workers=0,
                utilization=0.0,
                in_service=0,
                queued=0,
                throughput_rps=self.window.rates()[0],
                cost_per_month=spec.cost_per_month,
                in_rotation=True,
            )
        samples = self._samples[spec.id]
        (done_0, busy_0, cap_0), (done_1, busy_1, cap_1) = samples[0], samples[-1]
        span = (len(samples) - 1) * BUCKET_S
        capacity = cap_1 - cap_0
        return NodeSnapshot(
            id=spec.id,
            kind=spec.kind,
            status=NodeStatus.DOWN if station.failed else NodeStatus.UP,
            size=spec.size,
            workers=station.workers,
            utilization=(busy_1 - busy_0) / capacity if capacity > 0 else 0.0,
            in_service=station.busy,
            queued=len(station.queue),
            throughput_rps=(done_1 - done_0) / span if span else 0.0,
            cost_per_month=spec.cost_per_month,
            in_rotation=self._in_rotation(station),
        )

    def _in_rotation(self, station: Station) -> bool:
        if station.kind != NodeKind.WEB_SERVER:
            return True
        if self.balancer is not None:
            return station in self.balancer.in_rotation
        return station is self.entry
