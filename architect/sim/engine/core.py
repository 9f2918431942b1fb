"""The engine: one architecture under load, advanced in steps of simulated time.

``Engine(topology, seed)`` validates and builds the stations, wires each data
center's journey and keeps the measures; ``run(dt)`` runs simulated time.
Same topology, same seed, same changes at the same times: the same results.
Requests arrive and end in ``arrivals``; the architecture and its changes are
``site``'s; health checks, failover and repair run in ``recovery``. Commands
(``architect.sim.changes``), snapshots (``describe``) and aggregate mode
(``architect.sim.flows``) work on an engine from above; the ``Simulation`` in
``architect.sim.simulation`` puts them together.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import replace

from architect.sim.blocks import BLOCKS
from architect.sim.engine import migration, recovery
from architect.sim.engine.arrivals import seed_for
from architect.sim.engine.assets import cdn_transfer
from architect.sim.engine.balancer import Balancer
from architect.sim.engine.geo import GeoDns
from architect.sim.engine.journey import Journey
from architect.sim.engine.replication import DataTiers
from architect.sim.engine.sessions import LocalSessions
from architect.sim.engine.site import Site
from architect.sim.engine.stations import Station
from architect.sim.engine.timeline import Environment
from architect.sim.measures.samples import Samples
from architect.sim.measures.window import BUCKET_S, Window
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import NodeSpec, Topology, data_centers
from architect.sim.model.validate import validate
from architect.sim.snapshot import NodeKind, SeriesPoint

EVENT_LOG_LENGTH = 100
# Steps of 0.1 s drift in floating point (ten of them end at 0.9999999999999999);
# a bucket boundary this close past the target still closes in this step.
_DRIFT_S = 1e-9


class Engine(Site):
    """One architecture under load: built from a topology, advanced in simulated time."""

    def __init__(self, topology: Topology, seed: int = 1) -> None:
        problems = validate(topology)
        if problems:
            raise TopologyError(problems)
        self.seed = seed
        self.name = topology.name
        self.env = Environment()
        self.window = Window()
        self.jobs = Window()  # background jobs, measured apart from user requests
        self.samples = Samples()
        self.log = deque(maxlen=EVENT_LOG_LENGTH)
        self.revision = 0
        self.latency_ms = topology.network.latency_ms
        self.specs = {}
        self.links = list(topology.links)
        self.stations = {}
        self.dns_id = ""
        self.dns_failed = False
        self.balancers = {}
        self.centers = data_centers(topology)
        self.focus = self.centers[0]
        self.entries = {}
        self.journeys = {}
        self.data_by_center = {}
        self.network = topology.network
        self.sync = self.new_sync() if len(self.centers) > 1 else None
        self.sharding = topology.sharding
        self.shard_rule = None
        self.stores = {}
        self.asset_version = 0
        self._bucket_index = 0
        traffic = topology.traffic
        self.traffic = traffic
        self.operations = topology.operations
        self.autoscaling = topology.autoscaling
        self.repairs = recovery.Repairs(self)
        self._start_arrivals(seed, traffic)
        self.sessions = LocalSessions() if traffic.users else None
        self.set_mix(traffic)
        for spec in topology.nodes:
            self.add_node(spec)
        self.rewire()
        if self.sharding.copy_s > 0:  # a split made at t = 0: its keys are copied now
            moved = migration.last_split(self.sharding, traffic.keys)
            if moved:
                migration.start_copy(self, moved, self.sharding.copy_s)
        self.geo = (
            GeoDns(
                self.centers,
                traffic.regions,
                geo_routing=self.specs[self.dns_id].geo_routing,
                is_up=lambda center: not self.entries[center].failed,
                rng=random.Random(seed_for(seed, "regions")),
                ttl_s=topology.network.dns_ttl_s,
            )
            if len(self.centers) > 1
            else None
        )

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

    # -- time -----------------------------------------------------------------

    def run(self, dt: float) -> None:
        """Run ``dt`` simulated seconds, closing every bucket boundary on the way."""
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

    def _close_bucket(self) -> None:
        self._bucket_index += 1
        self.samples.take(self.stations, self.stores)
        self.jobs.close_bucket(self.env.now)
        if self.window.close_bucket(self.env.now):  # a whole second closed: its full record
            history = self.window.history
            history[-1] = self._closed_second(history[-1])

    def node_cost(self, spec: NodeSpec) -> float:
        """A node's monthly cost; a CDN's by what it transfers for the static requests
        offered (steady, as a budget needs: ``engine.assets``)."""
        if spec.kind != NodeKind.CDN:
            return spec.cost_per_month()
        traffic = self.traffic
        sent, fetched = cdn_transfer(
            self.rps * traffic.static_ratio,
            traffic.keys,
            traffic.zipf_s,
            spec.assets,
            spec.ttl_s,
            BLOCKS[spec.kind].fixed_capacity or spec.capacity_keys,
        )
        return spec.cost_per_month(sent, fetched)

    def _closed_second(self, point: SeriesPoint) -> SeriesPoint:
        """The point of the second that just closed, with every figure a lesson's goal
        judges (``point`` holds the window's: throughput, errors, latency)."""
        stale_reads, lost_writes, sessions_lost = self.losses()
        pool = self.job_pool()
        return self.aggregate.describe_second(
            replace(
                point,
                offered_rps=self.rps,
                cost_per_month=sum(self.node_cost(spec) for spec in self.specs.values()),
                utilization=tuple((i, self.samples.station(i)[0]) for i in self.stations),
                hit_ratios=self.hit_ratios(),
                lost_writes=lost_writes,
                sessions_lost=sessions_lost,
                stale_reads=stale_reads,
                queue_depth=None if self.queue is None else len(pool.queue) if pool else 0,
                queued=tuple(
                    (i, len(s.queue) + self.aggregate.load(i)[1])
                    for i, s in self.stations.items()
                    if s is not pool
                ),
            )
        )

    # -- figures both a snapshot and a closed second show ----------------------

    def hit_ratios(self) -> tuple[tuple[str, float], ...]:
        """Hits ÷ lookups of each cache and CDN over the last second (those with lookups)."""
        return tuple(
            (node_id, ratio)
            for node_id in self.stores
            if (ratio := self.samples.hit_ratio(node_id)) is not None
        )

    def losses(self) -> tuple[int, int, int]:
        """(stale reads, lost writes, sessions lost) since the start."""
        return (
            sum(t.stale_reads for t in self.data_by_center.values())
            + (self.sync.stale_reads if self.sync else 0)
            + sum(store.stale_hits for store in self.stores.values()),
            sum(t.lost_writes for t in self.data_by_center.values())
            + (self.sync.lost_writes if self.sync else 0),
            self.sessions.lost if self.sessions else 0,
        )

    def job_pool(self) -> Station | None:
        """The worker pool (the durable station), if there is one."""
        return next((s for s in self.stations.values() if BLOCKS[s.kind].durable), None)
