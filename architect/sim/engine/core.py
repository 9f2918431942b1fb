"""The engine: one architecture under load, advanced in steps of simulated time.

``Engine(topology, seed)`` validates and builds the stations, wires each data
center's journey and keeps the measures; ``run(dt)`` runs simulated time.
Same topology, same seed, same changes at the same times: the same results.
Requests arrive and end in ``arrivals``; health checks, failover and repair run
in ``recovery``. Commands (``architect.sim.changes``), snapshots (``describe``) and
aggregate mode (``architect.sim.flows``) work on an engine from above; the
``Simulation`` in ``architect.sim.simulation`` puts them together.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import replace
from functools import partial
from typing import cast

from architect.sim.blocks import BLOCKS
from architect.sim.engine import recovery
from architect.sim.engine.arrivals import Arrivals, seed_for
from architect.sim.engine.balancer import Balancer
from architect.sim.engine.cachestore import Eviction, KeyCache
from architect.sim.engine.geo import CrossCenterSync, GeoDns
from architect.sim.engine.journey import Journey
from architect.sim.engine.queueing import DurableWorkerPool
from architect.sim.engine.replication import DataTier, DataTiers
from architect.sim.engine.sessions import LocalSessions
from architect.sim.engine.sharding import Sharding as ShardRule
from architect.sim.engine.sharding import rule_for
from architect.sim.engine.stations import Station
from architect.sim.engine.timeline import Environment
from architect.sim.engine.wiring import CenterWiring, data_tiers
from architect.sim.measures.samples import Samples
from architect.sim.measures.window import BUCKET_S, Window
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import NodeSpec, Topology, data_centers
from architect.sim.model.validate import validate
from architect.sim.snapshot import Event, EventKind, NodeKind

EVENT_LOG_LENGTH = 100
# Steps of 0.1 s drift in floating point (ten of them end at 0.9999999999999999);
# a bucket boundary this close past the target still closes in this step.
_DRIFT_S = 1e-9


def _first_shard(key: int) -> int:
    return 0


class Engine(Arrivals):
    """One architecture under load: its stations, their wiring, arrivals and measures."""

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
        if spec.kind == NodeKind.DNS:  # no queue of its own
            self.dns_id = spec.id
            return
        block = BLOCKS[spec.kind]
        station = (DurableWorkerPool if block.durable else Station)(
            self.env,
            spec.id,
            spec.kind,
            workers=spec.workers,
            service_ms=spec.service_ms,
            service_dist=spec.service_dist,
            queue_limit=spec.queue_limit,
            rng=random.Random(seed_for(self.seed, spec.id)),
            on_error=self._job_failed if block.carries_jobs else self._fail,
        )
        self.stations[spec.id] = station
        self.samples.add_station(spec.id, station)
        if block.balances:
            self.balancers[spec.id] = Balancer(spec.algorithm, on_error=self._fail)
            self.env.process(recovery.health_checks(self, spec))
        elif block.holds_keys:
            capacity = block.fixed_capacity or spec.capacity_keys
            self.stores[spec.id] = KeyCache(capacity, spec.ttl_s, cast(Eviction, spec.eviction))
            self.samples.add_store(spec.id)

    def remove_node(self, node_id: str) -> None:
        """Take a node out; requests it holds still finish (a graceful drain)."""
        del self.specs[node_id]
        self.stations.pop(node_id, None)
        self.stores.pop(node_id, None)
        self.samples.remove(node_id)
        self.links = [link for link in self.links if node_id not in link]

    def set_roles(self, primary: str, replica: str) -> None:
        """A replica was promoted: ``primary`` holds the data now, ``replica`` follows it."""
        self.specs[primary] = replace(self.specs[primary], role="primary")
        self.specs[replica] = replace(self.specs[replica], role="replica")
        self.rewire()

    def rewire(self) -> None:
        """Point every station at where its finished requests go next, per data center."""
        sharding = self.sharding
        self.shard_rule = rule_for(sharding.strategy, sharding.shards, sharding.vnodes)
        shard_of = self.shard_rule.shard_of if self.shard_rule else _first_shard
        self.data_by_center = data_tiers(
            self.specs, self.stations, self.centers, sharding.shards, shard_of, self.data_by_center
        )
        targets: dict[str, list[str]] = {}
        for source, target in self.links:
            targets.setdefault(source, []).append(target)
        dns_targets = [self.stations[t] for t in targets[self.dns_id]]
        cdn = next((t for t in dns_targets if BLOCKS[t.kind].edge), None)
        self.queue: Station | None = None
        wirings = []
        for center in self.centers:
            placed = [
                s
                for i, s in self.stations.items()
                if not BLOCKS[s.kind].outside_centers and self.specs[i].dc == center
            ]
            self.entries[center] = next(
                t for t in dns_targets if not BLOCKS[t.kind].edge and t in placed
            )
            journey = self.journeys[center] = self._journey(center, placed, cdn)
            wiring = CenterWiring(
                journey,
                self.stations,
                targets,
                self.balancers,
                job_done=self._job_done,
                job_failed=self._job_failed,
            )
            for station in placed:
                wiring.wire(station)
            wirings.append(wiring)
        self._first_journey = self.journeys[self.centers[0]]  # where one-center traffic goes
        if cdn is not None:
            wirings[0].wire(cdn)  # misses are fetched from the first center

    def _journey(self, center: str, placed: list[Station], cdn: Station | None) -> Journey:
        """The request path of one data center: its CDN, cache, session store, data, queue."""

        def first(kind: NodeKind) -> Station | None:
            return next((s for s in placed if s.kind == kind), None)

        cache, store, queue = (
            first(NodeKind.CACHE),
            first(NodeKind.SESSION_STORE),
            first(NodeKind.MESSAGE_QUEUE),
        )
        self.queue = self.queue or queue
        return Journey(
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

    # -- the focused data center: where commands and the autoscaler grow the site ------

    def focused(self, spec: NodeSpec) -> bool:
        """Whether a node is in the data center commands change now (``focus``), or global."""
        return BLOCKS[spec.kind].outside_centers or spec.dc == self.focus

    def first_of(self, kind: NodeKind) -> str:
        """The first node of ``kind`` in the focused data center (or global); "" when none."""
        return next((i for i, s in self.specs.items() if s.kind == kind and self.focused(s)), "")

    def web_server_ids(self) -> list[str]:
        """The web servers of the focused data center."""
        return [
            i
            for i, spec in self.specs.items()
            if spec.kind == NodeKind.WEB_SERVER and spec.dc == self.focus
        ]

    def id_prefix(self) -> str:
        """Node ids in every data center but the first start with its name: ``asia-web-1``."""
        return f"{self.focus}-" if self.focus and self.focus != self.centers[0] else ""

    def placed(self, spec: NodeSpec) -> NodeSpec:
        """A new node of the focused data center."""
        return replace(spec, id=self.id_prefix() + spec.id, dc=self.focus)

    def targets_of(self, node_id: str) -> list[str]:
        return [target for source, target in self.links if source == node_id]

    def add_web_server(self, *, join_balancer: bool = True) -> str:
        """A web server like the first one; in rotation at once unless ``join_balancer`` is off."""
        template = self.specs[self.web_server_ids()[0]]
        number = 1
        while f"{self.id_prefix()}web-{number}" in self.specs:
            number += 1
        node_id = f"{self.id_prefix()}web-{number}"
        self.add_node(replace(template, id=node_id))
        lb_id = self.first_of(NodeKind.LOAD_BALANCER)
        if lb_id and join_balancer:
            self.links.append((lb_id, node_id))
        self.links += [(node_id, target) for target in self.targets_of(template.id)]
        self.rewire()
        self.record(EventKind.NODE_ADDED, node=node_id)
        return node_id

    def join_balancer(self, node_id: str) -> None:
        """Put a warmed-up web server behind the load balancer."""
        lb_id = self.first_of(NodeKind.LOAD_BALANCER)
        if lb_id and node_id in self.specs and (lb_id, node_id) not in self.links:
            self.links.append((lb_id, node_id))
            self.rewire()

    # -- failures ---------------------------------------------------------------

    def start_failover(self, primary: Station) -> None:
        """Promote a replica ``failover_s`` after the primary failed, if it is still down."""
        self.env.process(recovery.failover(self, primary, self.specs[primary.id].failover_s))

    def start_repair(self, node_id: str) -> None:
        """Whoever operates the site brings a failed node back, sooner or later."""
        self.repairs.start(node_id)

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
        self.window.close_bucket(self.env.now)
        self.jobs.close_bucket(self.env.now)
        self.samples.take(self.stations, self.stores)
