"""Aggregate mode: traffic as flows advanced in 1 ms steps instead of single requests.

Above ``AGGREGATE_ABOVE_RPS`` offered requests per second the per-request engine
cannot keep up with real time on one core, so ``Simulation.set_rps`` hands the
traffic to this model; below ``PER_REQUEST_BELOW_RPS`` it hands it back (the gap
is the hysteresis: traffic near the threshold does not flip modes back and forth).
The rule lives here, in ``AggregateTraffic.choose``, and depends on the offered
rate only, so a run is the same for a seed whatever machine it runs on; the
sandbox still measures and shows how fast the simulation really runs.

The ``Simulation`` keeps owning the architecture: commands, failures, health
checks, failover and autoscaling work unchanged. Only the requests change:

- every 1 ms step, each station's fluid backlog takes its inflow (the mean
  arrivals λ·dt of each class, routed by ``flows``) and serves up to its
  capacity c·dt/service; what the queue limit cannot hold fails; a failed
  station fails all it holds and receives (a worker pool keeps its jobs);
- every 10 ms tick, the arrivals counted are a Poisson(λ·tick) draw and the
  served and failed counts follow it; each station's sojourn distribution is
  taken from its state (``sojourn``) and ``SAMPLES_PER_TICK`` request paths are
  drawn through the flows, each a sum of per-station sojourns and network
  hops, weighted so the latency histogram holds every served request.

Utilisation and completions are written into the stations (so the snapshot's
node figures and the autoscaler read them as before); queue lengths and hit
ratios are added to the snapshot by ``describe``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import simpy

from architect.sim.flows.graph import Fan, Flow, Graph, Sink, StationFlows
from architect.sim.flows.routes import build
from architect.sim.flows.sojourn import sojourn, stationary_queued
from architect.sim.measures.window import Bucket

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine
    from architect.sim.snapshot import SeriesPoint, Snapshot

PER_REQUEST, AGGREGATE, AUTO = "per_request", "aggregate", "auto"
MODES = (AUTO, PER_REQUEST, AGGREGATE)
# bench/run.py: the per-request engine simulates about 100,000 requests per wall
# second on one core; at speed 5× 20,000 req/s already needs all of it.
AGGREGATE_ABOVE_RPS = 20_000.0
PER_REQUEST_BELOW_RPS = 15_000.0
STEP_S = 0.001
TICK_STEPS = 10
TICK_S = STEP_S * TICK_STEPS
SAMPLES_PER_TICK = 48
_MAX_ATTEMPTS = 8  # paths drawn per sample before giving up (a mostly failing site)


class AggregateTraffic:
    """Decides the mode and, in aggregate mode, moves the simulation's traffic as flows."""

    def __init__(self, sim: Engine, mode: str, rng: random.Random) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.sim = sim
        self.forced = mode
        self.supported = len(sim.centers) == 1
        if mode == AGGREGATE and not self.supported:
            raise ValueError("aggregate mode models one data center; this topology has several")
        self.mode = PER_REQUEST
        self.rng = rng
        self.graph: Graph | None = None
        self._groups: dict[str, StationFlows] = {}  # the graph's stations by id
        self._wiring: tuple[object, ...] = ()
        self._running = False
        self._carry = [
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ]  # fractions of served, failed, published, done, job failures

    # -- the switch ---------------------------------------------------------------

    def choose(self, rps: float) -> bool:
        """Pick the mode for a new offered rate; True when this model carries the traffic."""
        if self.forced != AUTO:
            self.mode = self.forced
        elif not self.supported:
            self.mode = PER_REQUEST
        elif self.mode == PER_REQUEST and rps > AGGREGATE_ABOVE_RPS:
            self.mode = AGGREGATE
        elif self.mode == AGGREGATE and rps < PER_REQUEST_BELOW_RPS:
            self.mode = PER_REQUEST
        if self.mode == AGGREGATE and not self._running:
            self._running = True
            self.sim.env.process(self._run())
        return self.mode == AGGREGATE

    # -- time ---------------------------------------------------------------------

    def _run(self) -> Generator[simpy.Event, None, None]:
        env = self.sim.env
        start, steps = float(env.now), 0
        while True:
            self._rewire_if_changed()
            for _ in range(TICK_STEPS):
                steps += 1
                yield env.timeout(max(0.0, start + steps * STEP_S - env.now))
                self._step()
            self._tick()
            if self.mode == PER_REQUEST and self._drained():
                self._running = False
                self.graph = None
                self._groups = {}
                return

    def _wiring_now(self) -> tuple[object, ...]:
        sim = self.sim
        return (
            sim.journey,
            sim.dns_failed,
            sim.traffic,
            sim.rps,
            tuple((s.id, s.failed, s.workers, s.service_ms) for s in sim.stations.values()),
            tuple(tuple(map(id, b.in_rotation)) for b in sim.balancers.values()),
            tuple(
                (*map(id, t.replicas), id(t.primary)) for t in (sim.data.tiers if sim.data else ())
            ),
        )

    def _rewire_if_changed(self) -> None:
        wiring = self._wiring_now()
        if self.graph is not None and wiring == self._wiring:
            return
        old = self.graph
        self._wiring = wiring
        self.graph = build(self.sim, STEP_S)
        self._groups = {g.station.id: g for g in self.graph.stations}
        if old is not None:  # what waits keeps waiting where it was
            for key, flow in old.flows.items():
                new = self.graph.flows.get(key)
                if new is not None:
                    new.backlog += flow.backlog
            for sink, new_sink in zip(old.sinks, self.graph.sinks, strict=False):
                new_sink.inflow += sink.inflow

    def _drained(self) -> bool:
        return self.graph is None or all(f.backlog < 1e-6 for f in self.graph.flows.values())

    def _step(self) -> None:
        """One fluid step of every station, upstream first."""
        graph = self.graph
        assert graph is not None
        if self.mode == AGGREGATE:
            arriving = self.sim.rps * STEP_S
            for share, target in graph.entries:
                target.inflow += arriving * share
        for group in graph.stations:
            flows = group.flows
            station = group.station
            arrived = demand = 0.0
            for flow in flows:
                arrived += flow.inflow
                demand += flow.backlog + flow.inflow
            if demand <= 0.0:
                continue
            group.arrived += arrived
            if station.failed:
                for flow in flows:
                    if group.durable:
                        flow.backlog += flow.inflow
                    else:
                        flow.fail.inflow += flow.backlog + flow.inflow
                        flow.backlog = 0.0
                    flow.inflow = 0.0
                if not group.durable:
                    group.dropped += demand
                continue
            capacity = station.workers * group.per_worker_step
            served = demand if demand <= capacity else capacity
            share = served / demand
            waiting = demand - served
            keep = 1.0
            if waiting > station.queue_limit:
                keep = station.queue_limit / waiting
                group.dropped += waiting - station.queue_limit
            for flow in flows:
                pending = flow.backlog + flow.inflow
                flow.inflow = 0.0
                out = pending * share
                stay = pending - out
                if keep < 1.0:
                    flow.fail.inflow += stay * (1.0 - keep)
                    stay *= keep
                flow.backlog = stay
                for fraction, target in flow.edges:
                    target.inflow += out * fraction
                if flow.spawn is not None:
                    flow.spawn.inflow += out
            group.departed += served
            group.backlog = waiting * keep
            station.add_work(served, served * group.service_s)

    def _tick(self) -> None:
        """Every 10 ms: counts into the window, station states, latency samples."""
        graph, sim = self.graph, self.sim
        assert graph is not None
        expected = sim.rps * TICK_S if self.mode == AGGREGATE else 0.0
        arrivals = _poisson(self.rng, expected)
        noise = arrivals / expected if expected > 0 else 1.0
        bucket, jobs = sim.window.current, sim.jobs.current
        bucket.arrivals += arrivals
        published = graph.job_entry.group.arrived if graph.job_entry is not None else 0.0
        self._update_stations(graph)
        amounts = (
            graph.served.inflow + graph.part_served.inflow * graph.part_served.weight,
            graph.failed.inflow + graph.part_failed.inflow * graph.part_failed.weight,
            published,
            graph.job_done.inflow,
            graph.job_failed.inflow,
        )
        for sink in graph.sinks:
            sink.inflow = 0.0
        served, failed, published_n, done, job_failed = (
            self._whole(i, a * noise) for i, a in enumerate(amounts)
        )
        bucket.served += served
        bucket.failed += failed
        jobs.arrivals += published_n
        jobs.served += done
        jobs.failed += job_failed
        self._sample(bucket, served, graph.entry_choices, 2.0 * sim.latency_ms)
        if graph.job_entry is not None:
            self._sample(jobs, done, [(1.0, graph.job_entry)], 0.0)

    def _whole(self, index: int, amount: float) -> int:
        """A whole count, carrying the fraction to the next tick."""
        total = self._carry[index] + amount
        whole = int(total)
        self._carry[index] = total - whole
        return whole

    def _update_stations(self, graph: Graph) -> None:
        for group in graph.stations:
            station = group.station
            lam = group.arrived / TICK_S
            group.sojourn = sojourn(
                lam,
                station.workers,
                station.service_ms,
                station.service_dist == "exponential",
                group.backlog,
                group.phases,
            )
            group.loss = (
                1.0 if station.failed and not group.durable else 0.0
            )  # paths through it fail
            group.in_service = group.departed / TICK_S * group.service_s
            group.queued = group.backlog + stationary_queued(group.sojourn, lam)
            group.arrived = group.departed = group.dropped = 0.0

    # -- latency ------------------------------------------------------------------

    def _sample(
        self, bucket: Bucket, served: int, entries: Sequence[tuple[float, object]], hop_ms: float
    ) -> None:
        """Fill the bucket's histogram with ``served`` requests through sampled paths."""
        if served <= 0:
            return
        samples = min(served, SAMPLES_PER_TICK)
        each, extra = divmod(served, samples)
        histogram = bucket.latency
        for i in range(samples):
            for _ in range(_MAX_ATTEMPTS):
                seconds, hops = self._path(_pick_cumulative(self.rng, entries))
                if seconds >= 0.0:
                    histogram.add_many(
                        seconds * 1000.0 + hops * hop_ms, each + (1 if i < extra else 0)
                    )
                    break

    def _path(self, target: object) -> tuple[float, int]:
        """One request's time (s) and stations crossed from ``target`` on; (-1, 0) if it failed."""
        rng = self.rng
        seconds, hops = 0.0, 0
        while True:
            if isinstance(target, Sink):
                return (seconds, hops) if target.ok else (-1.0, 0)
            if isinstance(target, Fan):
                slowest, most = 0.0, 0
                for part in target.shards:
                    s, h = self._path(_pick(rng, part))
                    if s < 0.0:
                        return -1.0, 0
                    slowest, most = max(slowest, s), max(most, h)
                return seconds + slowest, hops + most
            assert isinstance(target, Flow)
            group = target.group
            if group.loss:
                return -1.0, 0
            if group.sojourn is not None:
                seconds += group.sojourn.sample(rng)
            hops += 1
            target = _pick_cumulative(rng, target.choices)

    # -- description --------------------------------------------------------------

    def load(self, node_id: str) -> tuple[int, int]:
        """(busy workers, requests waiting) this model adds to a node now."""
        group = self._groups.get(node_id)
        if group is None:
            return 0, 0
        return round(group.in_service), round(group.queued)

    def describe(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with this model's mode, hit ratios and job queue added."""
        graph = self.graph
        if graph is None:
            return replace(snapshot, mode=self.mode) if self.mode != snapshot.mode else snapshot
        jobs = snapshot.jobs
        if jobs is not None and graph.job_entry is not None:
            jobs = replace(jobs, depth=jobs.depth + self._job_backlog(graph))
        ratios = self._hit_ratios(graph, snapshot.hit_ratios)
        return replace(snapshot, hit_ratios=ratios, jobs=jobs, mode=self.mode)

    def describe_second(self, point: SeriesPoint) -> SeriesPoint:
        """A closed second's record with this model's mode, hit ratios and job queue added."""
        graph = self.graph
        if graph is None:
            return replace(point, mode=self.mode) if self.mode != point.mode else point
        depth = point.queue_depth
        if depth is not None and graph.job_entry is not None:
            depth += self._job_backlog(graph)
        ratios = self._hit_ratios(graph, point.hit_ratios)
        return replace(point, hit_ratios=ratios, queue_depth=depth, mode=self.mode)

    @staticmethod
    def _hit_ratios(
        graph: Graph, measured: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        ratios = dict(measured)
        ratios.update(graph.hit_ratios)
        return tuple(ratios.items())

    @staticmethod
    def _job_backlog(graph: Graph) -> int:
        return round(sum(g.backlog for g in graph.stations if g.durable))


def _pick_cumulative(rng: random.Random, choices: Sequence[tuple[float, object]]) -> object:
    """One target from cumulative shares (the last one catches rounding)."""
    draw = rng.random() * choices[-1][0]
    for bound, target in choices:
        if draw < bound:
            return target
    return choices[-1][1]


def _pick(rng: random.Random, shares: list[tuple[float, Flow]]) -> Flow:
    total = sum(s for s, _ in shares)
    draw = rng.random() * total
    for share, target in shares:
        draw -= share
        if draw < 0.0:
            return target
    return shares[-1][1]


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: by inversion for small means, a rounded normal for large ones."""
    if mean <= 0.0:
        return 0
    if mean > 100.0:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
