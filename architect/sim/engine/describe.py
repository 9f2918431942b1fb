"""Describing a running simulation: the immutable ``Snapshot`` of its state now.

Rates and utilisations come from the samples the engine takes at each bucket
boundary (``architect.sim.measures.samples``), over the last second of simulated time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from architect.sim.blocks import BLOCKS
from architect.sim.engine.stations import Station
from architect.sim.model.topology import NodeSpec
from architect.sim.snapshot import (
    CenterSnapshot,
    Jobs,
    NodeKind,
    NodeSnapshot,
    NodeStatus,
    Settings,
    Snapshot,
)

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

EVENTS_IN_SNAPSHOT = 30


@dataclass(frozen=True, slots=True)
class Allowed:
    """The actions that would succeed now (``architect.sim.changes.allowed`` finds them)."""

    site: frozenset[str] = frozenset()
    nodes: Mapping[str, frozenset[str]] = field(default_factory=dict)  # by node id
    centers: tuple[CenterSnapshot, ...] = ()


def snapshot(sim: Engine, allowed: Allowed, settings: Settings) -> Snapshot:
    """The state now; ``allowed`` and ``settings`` change with the architecture only, so the
    caller may keep them between snapshots (``Simulation`` does, by the site's revision)."""
    arrivals, served, error_rate = sim.window.rates()
    nodes = tuple(
        node_snapshot(sim, spec, allowed.nodes.get(spec.id, frozenset()))
        for spec in sim.specs.values()
    )
    stale_reads, lost_writes, sessions_lost = sim.losses()
    return sim.aggregate.describe(
        Snapshot(
            t=round(sim.now, 6),
            offered_rps=sim.rps,
            arrivals_rps=arrivals,
            throughput_rps=served,
            error_rate=error_rate,
            latency=sim.window.latency(),
            nodes=nodes,
            links=tuple(sim.links),
            series=tuple(sim.window.history),
            events=tuple(sim.log)[-EVENTS_IN_SNAPSHOT:],
            cost_per_month=sum(node.cost_per_month for node in nodes),
            window_s=sim.window.span_s,
            hit_ratios=sim.hit_ratios(),
            stale_reads=stale_reads,
            lost_writes=lost_writes,
            sessions_lost=sessions_lost,
            jobs=jobs_snapshot(sim),
            settings=settings,
            allowed=allowed.site,
            centers=allowed.centers,
        )
    )


def settings_of(sim: Engine) -> Settings:
    """The learner's choices the forms show: balancing, autoscaling, operations, sharding, mix."""
    policy, operations, traffic = sim.autoscaling, sim.operations, sim.traffic
    return Settings(
        algorithm=sim.balancer.algorithm if sim.balancer is not None else "",
        autoscaling=policy.enabled,
        autoscale_min=policy.min,
        autoscale_max=policy.max,
        autoscale_target=policy.target_utilization,
        monitoring=operations.monitoring,
        automation=operations.automation,
        sharding=sim.sharding.strategy,
        shards=sim.sharding.shards,
        read_ratio=traffic.read_ratio,
        static_ratio=traffic.static_ratio,
        zipf_s=traffic.zipf_s,
        users=traffic.users,
        cdn_assets=sim.specs[cdn_id].assets if (cdn_id := sim.first_of(NodeKind.CDN)) else 1.0,
        dc_sync=sim.network.dc_sync,
        **_cache_settings(sim),
    )


def _cache_settings(sim: Engine) -> dict[str, Any]:
    cache_id = sim.first_of(NodeKind.CACHE)
    if not cache_id:
        return {}
    spec = sim.specs[cache_id]
    return {"cache_ttl_s": spec.ttl_s, "cache_eviction": spec.eviction, "cache_writes": spec.writes}


def jobs_snapshot(sim: Engine) -> Jobs | None:
    if sim.queue is None:
        return None
    published, done, _ = sim.jobs.rates()
    span = sim.jobs.span_s
    pool = sim.job_pool()
    return Jobs(
        published_rps=published,
        done_rps=done,
        failed_rps=sim.jobs.total.failed / span if span else 0.0,
        depth=len(pool.queue) if pool else 0,
        latency=sim.jobs.latency(),
    )


def node_snapshot(sim: Engine, spec: NodeSpec, actions: frozenset[str]) -> NodeSnapshot:
    station = sim.stations.get(spec.id)
    if station is None:  # DNS: no queue of its own
        return NodeSnapshot(
            id=spec.id,
            kind=spec.kind,
            status=NodeStatus.DOWN if sim.dns_failed else NodeStatus.UP,
            size="",
            workers=0,
            utilization=0.0,
            in_service=0,
            queued=0,
            throughput_rps=sim.window.rates()[0],
            cost_per_month=node_cost(sim, spec),
            in_rotation=True,
            actions=actions,
        )
    block = BLOCKS[spec.kind]
    utilization, throughput = sim.samples.station(spec.id)
    aggregate_busy, aggregate_queued = sim.aggregate.load(spec.id)
    return NodeSnapshot(
        id=spec.id,
        kind=spec.kind,
        status=NodeStatus.DOWN if station.failed else NodeStatus.UP,
        size=spec.size,
        workers=station.workers,
        utilization=utilization,
        in_service=station.busy + aggregate_busy,
        queued=len(station.queue) + aggregate_queued,
        throughput_rps=throughput,
        cost_per_month=node_cost(sim, spec),
        in_rotation=in_rotation(sim, station),
        role=spec.role if block.holds_data else "",
        shard=spec.shard if block.holds_data and sim.sharding.shards > 1 else -1,
        dc=spec.dc,
        actions=actions,
    )


def node_cost(sim: Engine, spec: NodeSpec) -> float:
    """Its monthly cost (``Engine.node_cost``)."""
    return sim.node_cost(spec)


def in_rotation(sim: Engine, station: Station) -> bool:
    """Whether a web server gets traffic: behind a balancer in rotation, or DNS's entry."""
    if not BLOCKS[station.kind].rotates:
        return True
    for balancer in sim.balancers.values():
        if station in balancer.backends:
            return station in balancer.in_rotation
    return station in sim.entries.values()
