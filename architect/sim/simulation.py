"""The running simulation: building, arrivals, routing, measures.

``Simulation(topology, seed)`` validates and builds; ``apply(command)``
changes it (see ``architect.sim.changes.dispatch``); ``advance(dt)`` runs simulated
time and returns an immutable ``Snapshot``. Same topology, same seed, same
commands at the same times: the same snapshots. Health checks, failover and
repair live in ``architect.sim.engine.recovery``; snapshots in ``architect.sim.engine.describe``.
"""

from __future__ import annotations

import random
import zlib
from collections import deque
from functools import partial
from heapq import heappush
from math import log as _log
from typing import cast

from architect.sim.changes import dispatch as changes
from architect.sim.commands import Command
from architect.sim.engine import describe, recovery
from architect.sim.engine.autoscaling import Autoscaler
from architect.sim.engine.balancer import Balancer
from architect.sim.engine.cachestore import Eviction, KeyCache
from architect.sim.engine.current import current_topology
from architect.sim.engine.describe import EVENTS_IN_SNAPSHOT  # noqa: F401  (importable from here too)
from architect.sim.engine.geo import CrossCenterSync, GeoDns
from architect.sim.engine.journey import JOB_WRITE, READ, STATIC, WRITE, Journey
from architect.sim.engine.keys import ZipfKeys
from architect.sim.engine.queueing import DurableWorkerPool
from architect.sim.engine.replication import DataTier, DataTiers
from architect.sim.engine.sessions import LocalSessions
from architect.sim.engine.sharding import Sharding as ShardRule
from architect.sim.engine.sharding import rule_for
from architect.sim.engine.stations import Request, Station
from architect.sim.engine.timeline import CALL_PRIORITY, Environment
from architect.sim.flows.aggregate import AUTO, AggregateTraffic
from architect.sim.measures.window import BUCKET_S, Window
from architect.sim.model.topology import (
    GLOBAL_KINDS,
    NodeSpec,
    Topology,
    TopologyError,
    Traffic,
    data_centers,
    validate,
)
from architect.sim.scenario import Scenario
from architect.sim.snapshot import Event, EventKind, NodeKind, Snapshot

EVENT_LOG_LENGTH = 100
_WINDOW_SAMPLES = round(1.0 / BUCKET_S) + 1
# Steps of 0.1 s drift in floating point (ten of them end at 0.9999999999999999);
# a bucket boundary this close past the target still closes in this step.
_DRIFT_S = 1e-9


def _first_shard(key: int) -> int:
    return 0


def seed_for(seed: int, stream: str) -> int:
    """A stable seed for one named random stream (``hash()`` is salted per run)."""
    return zlib.crc32(f"{seed}:{stream}".encode())


class Simulation:
    """One architecture under load, advanced in steps of simulated time."""

    def __init__(self, topology: Topology, seed: int = 1, *, mode: str = AUTO) -> None:
        problems = validate(topology)
        if problems:
            raise TopologyError(problems)
        self.seed = seed
        self.name = topology.name
        self.env = Environment()
        self.window = Window()
        self.jobs = Window()  # background jobs, measured apart from user requests
        self.log: deque[Event] = deque(maxlen=EVENT_LOG_LENGTH)
        self.latency_ms = topology.network.latency_ms
        self.specs: dict[str, NodeSpec] = {}
        self.links: list[tuple[str, str]] = list(topology.links)
        self.stations: dict[str, Station] = {}
        self.dns_id = ""
        self.dns_failed = False
        self.balancers: dict[str, Balancer] = {}  # by load balancer id
        self.centers = data_centers(topology)
        self.focus = self.centers[0]  # the data center that architecture commands change now
        self.entries: dict[str, Station] = {}  # where DNS sends users, by data center
        self.journeys: dict[str, Journey] = {}
        self.data_by_center: dict[str, DataTiers] = {}
        self.network = topology.network
        self.sync = (
            CrossCenterSync(topology.network.dc_sync_ms / 1000.0) if len(self.centers) > 1 else None
        )
        self.sharding = topology.sharding
        self.shard_rule: ShardRule | None = None
        self.stores: dict[str, KeyCache] = {}  # the cache's and the CDN's contents, by node id
        self.asset_version = 0
        self._samples: dict[str, deque[tuple[float, float, float]]] = {}
        self._store_samples: dict[str, deque[tuple[int, int]]] = {}
        self._bucket_index = 0
        traffic = topology.traffic
        self.traffic = traffic
        self.operations = topology.operations
        self.autoscaling = topology.autoscaling
        self._failures: dict[str, int] = {}  # node id → how many times it failed
        self._arrival_rng = random.Random(seed_for(seed, "arrivals"))
        self._keys = ZipfKeys(traffic.keys, traffic.zipf_s, random.Random(seed_for(seed, "keys")))
        self.sessions = LocalSessions() if traffic.users else None
        self.set_mix(traffic)
        for spec in topology.nodes:
            self.add_node(spec)
        self.rewire()
        self.geo = (
            GeoDns(
                self.centers,
                traffic.regions,
                geo_routing=self.specs[self.dns_id].geo_routing,
                is_up=lambda center: not self.entries[center].failed,
                rng=random.Random(seed_for(seed, "regions")),
            )
            if len(self.centers) > 1
            else None
        )
        self._arrival_generation = 0
        # auto: per request below a threshold, flows above it (see architect.sim.flows.aggregate)
        self.aggregate = AggregateTraffic(self, mode, random.Random(seed_for(seed, "aggregate")))
        self.rps = 0.0
        self.set_rps(traffic.rps)
        self.autoscaler = Autoscaler(self)
        self.scenario = Scenario(self, topology.events)

    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def balancer(self) -> Balancer | None:
        """The first data center's load balancer (the one the sandbox's commands change)."""
        return next(iter(self.balancers.values()), None)

    @property
    def data(self) -> DataTiers | None:
        """The first data center's data tiers."""
        return self.data_by_center.get(self.centers[0])

    @property
    def entry(self) -> Station:
        return self.entries[self.centers[0]]

    @property
    def journey(self) -> Journey:
        return self.journeys[self.centers[0]]

    def tier_holding(self, primary: Station) -> DataTier | None:
        """The data tier (of any data center and shard) whose primary is ``primary``."""
        for tiers in self.data_by_center.values():
            tier = tiers.holding(primary)
            if tier is not None:
                return tier
        return None

    # -- building -------------------------------------------------------------

    def add_node(self, spec: NodeSpec) -> None:
        self.specs[spec.id] = spec
        if spec.kind == NodeKind.DNS:
            self.dns_id = spec.id
            return
        station_class = DurableWorkerPool if spec.kind == NodeKind.WORKER_POOL else Station
        is_job_node = spec.kind in (NodeKind.MESSAGE_QUEUE, NodeKind.WORKER_POOL)
        station = station_class(
            self.env,
            spec.id,
            spec.kind,
            workers=spec.workers,
            service_ms=spec.service_ms,
            service_dist=spec.service_dist,
            queue_limit=spec.queue_limit,
            rng=random.Random(seed_for(self.seed, spec.id)),
            on_error=self._job_failed if is_job_node else self._fail,
        )
        self.stations[spec.id] = station
        self._samples[spec.id] = deque([describe.sample(station)], maxlen=_WINDOW_SAMPLES)
        if spec.kind == NodeKind.LOAD_BALANCER:
            self.balancers[spec.id] = Balancer(spec.algorithm, on_error=self._fail)
            self.env.process(recovery.health_checks(self, spec))
        elif spec.kind in (NodeKind.CACHE, NodeKind.CDN):
            capacity = spec.capacity_keys if spec.kind == NodeKind.CACHE else 10_000_000
            self.stores[spec.id] = KeyCache(capacity, spec.ttl_s, cast(Eviction, spec.eviction))
            self._store_samples[spec.id] = deque([(0, 0)], maxlen=_WINDOW_SAMPLES)

    def _refresh_data_tiers(self) -> None:
        """Point each center's and shard's tier at the databases' current roles (tiers are kept)."""
        self.shard_rule = rule_for(
            self.sharding.strategy, self.sharding.shards, self.sharding.vnodes
        )
        shard_of = self.shard_rule.shard_of if self.shard_rule else _first_shard
        for center in self.centers:
            databases = [
                i
                for i, spec in self.specs.items()
                if spec.kind == NodeKind.DATABASE and spec.dc == center
            ]
            if not databases:
                self.data_by_center.pop(center, None)
                continue
            old = self.data_by_center.get(center)
            previous = old.tiers if old else []
            tiers: list[DataTier] = []
            for shard in range(self.sharding.shards):
                held = [self.stations[i] for i in databases if self.specs[i].shard == shard]
                primary = next(d for d in held if self.specs[d.id].role == "primary")
                replicas = [d for d in held if d is not primary]
                lag_s = (
                    max((self.specs[r.id].replication_lag_ms for r in replicas), default=0.0)
                    / 1000.0
                )
                if shard < len(previous):
                    tier = previous[shard]
                    tier.primary, tier.replicas, tier.lag_s = primary, replicas, lag_s
                else:
                    tier = DataTier(primary, replicas, lag_s=lag_s)
                tiers.append(tier)
            self.data_by_center[center] = DataTiers(tiers, shard_of)

    def remove_node(self, node_id: str) -> None:
        """Take a node out; requests it holds still finish (a graceful drain)."""
        del self.specs[node_id]
        self.stations.pop(node_id, None)
        self._samples.pop(node_id, None)
        self.stores.pop(node_id, None)
        self._store_samples.pop(node_id, None)
        self.links = [link for link in self.links if node_id not in link]

    def rewire(self) -> None:
        """Point every station at where its finished requests go next, per data center."""
        self._refresh_data_tiers()
        targets: dict[str, list[str]] = {}
        for source, target in self.links:
            targets.setdefault(source, []).append(target)
        dns_targets = [self.stations[t] for t in targets[self.dns_id]]
        cdn = next((t for t in dns_targets if t.kind == NodeKind.CDN), None)
        self.queue: Station | None = None
        for center in self.centers:
            placed = [
                s
                for i, s in self.stations.items()
                if s.kind not in GLOBAL_KINDS and self.specs[i].dc == center
            ]
            self.entries[center] = next(
                t for t in dns_targets if t.kind != NodeKind.CDN and t in placed
            )
            self.journeys[center] = self._wire_center(center, placed, targets, cdn)
        self._first_journey = self.journeys[self.centers[0]]  # where one-center traffic goes
        if cdn is not None:
            cdn.forward = self.journey.after_cdn  # misses are fetched from the first center

    def _wire_center(
        self, center: str, placed: list[Station], targets: dict[str, list[str]], cdn: Station | None
    ) -> Journey:
        def first(kind: NodeKind) -> Station | None:
            return next((s for s in placed if s.kind == kind), None)

        cache, store, queue = (
            first(NodeKind.CACHE),
            first(NodeKind.SESSION_STORE),
            first(NodeKind.MESSAGE_QUEUE),
        )
        self.queue = self.queue or queue
        journey = Journey(
            now=lambda: float(self.env.now),
            complete=self._complete,
            entry=self.entries[center],
            cdn=cdn,
            cdn_store=self.stores.get(cdn.id) if cdn else None,
            cache=cache,
            cache_store=self.stores.get(cache.id) if cache else None,
            data=self.data_by_center.get(center),
            asset_version=self.asset_version,
            session_store=store,
            sessions=self.sessions,
            publish=partial(self._publish, queue=queue) if queue is not None else None,
            center=center,
            sync=self.sync,
        )
        for station in placed:
            node_id, kind = station.id, station.kind
            if kind == NodeKind.LOAD_BALANCER:
                balancer = self.balancers[node_id]
                balancer.set_backends([self.stations[t] for t in targets.get(node_id, ())])
                station.forward = balancer.route
            elif kind == NodeKind.WEB_SERVER:
                holds_data = not any(
                    self.stations[t].kind == NodeKind.DATABASE for t in targets.get(node_id, ())
                )
                station.forward = journey.web_sink(station, holds_data)
            elif kind == NodeKind.CACHE:
                station.forward = journey.after_cache
            elif kind == NodeKind.DATABASE:
                station.forward = journey.database_next()
            elif kind == NodeKind.SESSION_STORE:
                station.forward = journey.after_web
            elif kind == NodeKind.MESSAGE_QUEUE:
                pools = [self.stations[t] for t in targets.get(node_id, ())]
                station.forward = pools[0].arrive if pools else self._job_failed
            elif kind == NodeKind.WORKER_POOL:
                station.forward = self._job_done
        return journey

    # -- requests -----------------------------------------------------------

    def set_mix(self, traffic: Traffic) -> None:
        """Adopt a traffic mix (shares of static, read, write and job requests; key skew)."""
        if traffic.zipf_s != self.traffic.zipf_s or traffic.keys != self.traffic.keys:
            self._keys = ZipfKeys(
                traffic.keys, traffic.zipf_s, random.Random(seed_for(self.seed, "keys"))
            )
        self.traffic = traffic
        self._users = traffic.users
        self._static_below = traffic.static_ratio
        self._read_below = traffic.static_ratio + (1 - traffic.static_ratio) * traffic.read_ratio
        self._job_below = self._read_below + (1 - self._read_below) * traffic.job_ratio
        self._fanout_below = (
            self._static_below + (self._read_below - self._static_below) * traffic.cross_shard_ratio
        )

    def set_rps(self, rps: float) -> None:
        """Change the arrival rate now; the pending arrival is redrawn."""
        self.rps = rps
        self._arrival_generation += 1
        if not self.aggregate.choose(self.rps):
            self._schedule_arrival(self._arrival_generation)

    def _schedule_arrival(self, generation: int) -> None:
        if self.rps > 0:
            # rng.expovariate(rps), inlined: the same arithmetic, so the same draws.
            delay = -_log(1.0 - self._arrival_rng.random()) / self.rps
            self.env.call_later(delay, self._on_arrival, generation)

    def _on_arrival(self, generation: int) -> None:
        if generation != self._arrival_generation:
            return
        draw_uniform = self._arrival_rng.random
        rps = self.rps
        if rps > 0:  # _schedule_arrival(), inlined
            env = self.env
            now = env._now
            delay = -_log(1.0 - draw_uniform()) / rps
            heappush(
                env.calendar,
                (now + delay, CALL_PRIORITY, env.next_id(), self._on_arrival, generation),
            )
        else:
            now = self.env._now
        self.window.current.arrivals += 1
        draw = draw_uniform()
        if draw < self._static_below:
            kind = STATIC
        elif draw < self._read_below:
            kind = READ
        else:
            kind = JOB_WRITE if draw < self._job_below else WRITE
        users = self._users
        request = Request(now, kind, self._keys.draw(), int(draw * 1e9) % users if users else 0)
        if kind == READ and draw < self._fanout_below:
            request.fanout = True
        geo = self.geo
        if self.dns_failed:
            self._fail(request)
        elif geo is None:
            journey = self._first_journey
            # Without a CDN every request enters at the entry: skip Journey.arrive.
            (journey.entry if journey.cdn is None else journey).arrive(request)
        else:
            region = geo.region()
            center = geo.center_for(region)
            if center is None:
                self._fail(request)
                return
            if center != region:
                request.extra_ms = 2.0 * self.network.cross_region_ms
            self.journeys[center].arrive(request)

    def _complete(self, request: Request) -> None:
        # Latencies are binned when the bucket closes (see ``window.Bucket``).
        self.window.current.samples.append(
            (self.env._now - request.born) * 1000.0
            + 2.0 * request.hops * self.latency_ms
            + request.extra_ms
        )

    def _fail(self, request: Request) -> None:
        fan = request.parent
        if fan is not None:  # one part of a cross-shard query: the query fails, once
            if fan.failed:
                return
            fan.failed = True
        self.window.current.failed += 1

    def _publish(self, job: Request, queue: Station) -> None:
        self.jobs.current.arrivals += 1
        queue.arrive(job)

    def _job_done(self, job: Request) -> None:
        bucket = self.jobs.current
        bucket.served += 1
        bucket.latency.add((self.env.now - job.born) * 1000.0)

    def _job_failed(self, job: Request) -> None:
        self.jobs.current.failed += 1

    # -- control logic --------------------------------------------------------

    def start_failover(self, primary: Station) -> None:
        """Promote a replica ``failover_s`` after the primary failed, if it is still down."""
        self.env.process(recovery.failover(self, primary, self.specs[primary.id].failover_s))

    def start_repair(self, node_id: str) -> None:
        """Whoever operates the site brings a failed node back, sooner or later."""
        failure = self._failures[node_id] = self._failures.get(node_id, 0) + 1
        self.env.process(recovery.repair(self, node_id, failure, self.now))

    def is_down(self, node_id: str) -> bool:
        if node_id == self.dns_id:
            return self.dns_failed
        return self.stations[node_id].failed

    def restore(self, node_id: str) -> None:
        if node_id == self.dns_id:
            self.dns_failed = False
        else:
            self.stations[node_id].restore()

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
            if boundary > target + _DRIFT_S:
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
        self.jobs.close_bucket(self.env.now)
        for node_id, station in self.stations.items():
            self._samples[node_id].append(describe.sample(station))
        for node_id, store in self.stores.items():
            self._store_samples[node_id].append((store.hits, store.misses))

    # -- description ----------------------------------------------------------

    def current_topology(self) -> Topology:
        """The architecture as it is now, without scripted events (``engine.current``)."""
        return current_topology(self)

    def snapshot(self) -> Snapshot:
        """The state now, as an immutable ``Snapshot`` (see ``architect.sim.engine.describe``)."""
        return describe.snapshot(self)
