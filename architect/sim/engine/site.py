"""The architecture being simulated: its nodes, links and wiring, and the named changes
commands, the autoscaler and recovery make to it.

``Site`` is the middle of the engine: ``Arrivals`` (the hot path) below it, ``Engine``
(construction and the clock) above. Everything that changes the architecture goes
through a method here, so the wiring is rebuilt and the event log kept in one place.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar, cast

from architect.sim.blocks import BLOCKS
from architect.sim.engine import recovery
from architect.sim.engine.arrivals import Arrivals, seed_for
from architect.sim.engine.assets import scope_keys
from architect.sim.engine.balancer import Balancer
from architect.sim.engine.cachestore import Eviction, KeyCache, WritePolicy
from architect.sim.engine.geo import CrossCenterSync, GeoDns
from architect.sim.engine.journey import Journey
from architect.sim.engine.queueing import DurableWorkerPool
from architect.sim.engine.replication import DataTier, DataTiers
from architect.sim.engine.sessions import LocalSessions
from architect.sim.engine.sharding import Sharding as ShardRule
from architect.sim.engine.sharding import rule_for
from architect.sim.engine.stations import Station
from architect.sim.engine.wiring import CenterWiring, data_tiers
from architect.sim.measures.samples import Samples
from architect.sim.model.sizes import SIZES
from architect.sim.model.topology import Autoscaling, NodeSpec, Operations, Sharding
from architect.sim.snapshot import Event, EventKind, NodeKind

V = TypeVar("V")


def _first_shard(key: int) -> int:
    return 0


def _rename(mapping: dict[str, V], old: str, new: str) -> None:
    if old in mapping:
        mapping[new] = mapping.pop(old)


class Site(Arrivals):
    """The nodes, links, stations and wiring of the architecture, and its changes."""

    # Set by ``Engine.__init__``.
    log: deque[Event]
    samples: Samples
    specs: dict[str, NodeSpec]
    links: list[tuple[str, str]]
    stations: dict[str, Station]
    dns_id: str
    balancers: dict[str, Balancer]  # by load balancer id
    centers: list[str]
    focus: str  # the data center that architecture commands change now
    entries: dict[str, Station]  # where DNS sends users, by data center
    data_by_center: dict[str, DataTiers]
    sync: CrossCenterSync | None
    operations: Operations
    autoscaling: Autoscaling
    sharding: Sharding
    shard_rule: ShardRule | None
    stores: dict[str, KeyCache]  # the cache's and the CDN's contents, by node id
    asset_version: int
    sessions: LocalSessions | None
    repairs: recovery.Repairs
    queue: Station | None  # the first data center's message queue
    # Counts changes to the architecture: every rewiring, every new traffic mix and every
    # logged event (each command, failure, repair or scaling logs one), so what depends on
    # the architecture only (the actions allowed, the settings shown) is worked out again
    # only when it moves. A change that does none of these must bump it itself.
    revision: int

    @property
    def now(self) -> float:
        return float(self.env.now)

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
            phase = random.Random(seed_for(self.seed, f"{spec.id}:health")).random()
            self.env.process(recovery.health_checks(self, spec, phase * spec.health_check_s))
        elif block.holds_keys:
            capacity = block.fixed_capacity or spec.capacity_keys
            self.stores[spec.id] = KeyCache(
                capacity,
                spec.ttl_s,
                cast(Eviction, spec.eviction),
                cast(WritePolicy, spec.writes),
            )
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
        self.revision += 1
        sharding = self.sharding
        self.shard_rule = rule_for(
            sharding.strategy, sharding.shards, sharding.vnodes, sharding.hot_keys
        )
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
            cdn_keys=scope_keys(self.specs[cdn.id].assets, self.traffic.keys) if cdn else 0,
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

    def focused_data(self) -> DataTiers | None:
        """The focused data center's data tiers; None before it has a database."""
        return self.data_by_center.get(self.focus)

    @contextmanager
    def focused_on(self, center: str) -> Iterator[None]:
        """Change data center ``center`` for a while (``focus`` is restored after)."""
        focus, self.focus = self.focus, center
        try:
            yield
        finally:
            self.focus = focus

    # -- changes to the architecture (the caller rewires when it has made them all) ------

    def connect(self, links: Iterable[tuple[str, str]], *, at: int | None = None) -> None:
        """Add links (at position ``at`` of the list, else at its end)."""
        if at is None:
            self.links += links
        else:
            self.links[at:at] = links

    def set_links(self, links: Iterable[tuple[str, str]]) -> None:
        self.links = list(links)

    def update_spec(self, node_id: str, **fields: Any) -> None:
        """Change fields of a node's spec that its station does not hold (its role, …)."""
        self.specs[node_id] = replace(self.specs[node_id], **fields)

    def set_workers(self, node_id: str, workers: int) -> None:
        self.update_spec(node_id, workers=workers)
        self.stations[node_id].resize(workers)

    def resize(self, node_id: str, size: str) -> None:
        self.specs[node_id] = self.specs[node_id].resized(size)
        self.stations[node_id].resize(SIZES[size].workers)

    def set_service(self, node_id: str, service_ms: float) -> None:
        spec = self.specs[node_id]
        self.specs[node_id] = replace(spec, service_ms=service_ms)
        self.stations[node_id].set_service(service_ms, spec.service_dist)

    def set_algorithm(self, node_id: str, algorithm: str) -> None:
        self.update_spec(node_id, algorithm=algorithm)
        self.balancers[node_id].algorithm = algorithm

    def set_sharding(self, sharding: Sharding) -> None:
        """A new shard rule or data layout (denormalised: joined reads ask one shard)."""
        self.sharding = sharding
        self.set_mix(self.traffic)

    def set_cache(self, spec: NodeSpec) -> None:
        """A cache's new TTL and eviction policy (its keys stay)."""
        self.specs[spec.id] = spec
        store = self.stores[spec.id]
        store.set_ttl(spec.ttl_s)
        store.set_eviction(cast(Eviction, spec.eviction))

    def clear_store(self, node_id: str) -> None:
        """Drop every key a cache or CDN holds."""
        self.stores[node_id].clear()

    def version_assets(self) -> int:
        """Publish assets under new URLs: the CDN's old copies are never asked for again."""
        self.asset_version += 1
        self.rewire()
        return self.asset_version

    def set_autoscaling(self, policy: Autoscaling) -> None:
        self.autoscaling = policy

    def set_operations(self, operations: Operations) -> None:
        self.operations = operations

    # -- data centers -------------------------------------------------------------

    def name_first_center(self, name: str) -> None:
        """A site with one unnamed data center: it stands in ``name`` now."""
        for node_id, spec in list(self.specs.items()):
            if not BLOCKS[spec.kind].outside_centers:
                self.specs[node_id] = replace(spec, dc=name)
        self.centers[0] = name
        self.focus = name
        _rename(self.data_by_center, "", name)
        _rename(self.entries, "", name)
        _rename(self.journeys, "", name)

    def open_center(self, region: str) -> None:
        """A new data center in ``region`` (its nodes already added): geoDNS goes on, and
        the new region gets as many users as an average one."""
        self.centers.append(region)
        regions = dict(self.traffic.regions) or {self.centers[0]: 1.0}
        regions.setdefault(region, sum(regions.values()) / len(regions))
        self.set_mix(replace(self.traffic, regions=tuple(regions.items())))
        self.update_spec(self.dns_id, geo_routing=True)
        if self.sync is None:
            self.sync = self.new_sync()
        rng = (
            self.geo.rng if self.geo is not None else random.Random(seed_for(self.seed, "regions"))
        )
        self.geo = GeoDns(
            self.centers,
            self.traffic.regions,
            geo_routing=True,
            is_up=lambda c: not self.entries[c].failed,
            rng=rng,
            ttl_s=self.network.dns_ttl_s,
        )

    def new_sync(self) -> CrossCenterSync:
        """How writes reach the other data centers, by the network's ``dc_sync``."""
        network = self.network

        def peer_up(center: str) -> bool:
            return any(not entry.failed for c, entry in self.entries.items() if c != center)

        return CrossCenterSync(
            network.dc_sync_ms / 1000.0,
            network.dc_sync,
            round_trip_ms=2.0 * network.cross_region_ms,
            peer_up=peer_up,
        )

    def set_sync(self, mode: str) -> None:
        self.network = replace(self.network, dc_sync=mode)
        if self.sync is not None:
            self.sync.set_mode(mode)

    # -- failures ---------------------------------------------------------------

    def fail_node(self, node_id: str) -> None:
        """``node_id`` fails now: it drops what it holds, a cache forgets its keys, and a
        primary's replica takes over after ``failover_s``."""
        if node_id == self.dns_id:
            self.dns_failed = True
            return
        station = self.stations[node_id]
        station.fail()
        if node_id in self.stores:
            self.stores[node_id].clear()  # memory is lost: it comes back cold
        if self.tier_holding(station) is not None:
            self.start_failover(station)

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
        self.revision += 1
        self.log.append(Event(round(self.now, 3), kind, **fields))  # type: ignore[arg-type]
