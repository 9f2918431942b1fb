"""Ready-made topologies and the defaults new nodes are built with."""

from __future__ import annotations

from architect.sim.model.sizes import SIZES
from architect.sim.model.topology import NodeSpec, Topology, Traffic
from architect.sim.snapshot import NodeKind

WEB_SERVICE_MS = 20.0  # application work per request
DATA_SERVICE_MS = 5.0  # data work per request, on whichever box holds the data
WEB_QUEUE_LIMIT = 200
DATABASE_QUEUE_LIMIT = 1000


def dns() -> NodeSpec:
    return NodeSpec(id="dns", kind=NodeKind.DNS, workers=1, service_ms=1.0)


def web_server(node_id: str, *, holds_data: bool, size: str = "m") -> NodeSpec:
    """A web server; one that also holds the data does the data work too."""
    service_ms = WEB_SERVICE_MS + (DATA_SERVICE_MS if holds_data else 0.0)
    return NodeSpec(
        id=node_id,
        kind=NodeKind.WEB_SERVER,
        size=size,
        workers=SIZES[size].workers,
        service_ms=service_ms,
        queue_limit=WEB_QUEUE_LIMIT,
    )


def load_balancer(node_id: str = "lb") -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.LOAD_BALANCER,
        workers=64,
        service_ms=0.2,
        queue_limit=10_000,
        health_check_s=2.0,
    )


def database(node_id: str = "db", size: str = "m") -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.DATABASE,
        size=size,
        workers=SIZES[size].workers,
        service_ms=DATA_SERVICE_MS,
        queue_limit=DATABASE_QUEUE_LIMIT,
    )


CACHE_SERVICE_MS = 0.5  # an in-memory lookup
CDN_SERVICE_MS = 4.0  # an edge server near the user
REPLICATION_LAG_MS = 100.0


def cache(node_id: str = "cache") -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.CACHE,
        workers=16,
        service_ms=CACHE_SERVICE_MS,
        queue_limit=10_000,
        capacity_keys=10_000,
        ttl_s=60.0,
        eviction="lru",
    )


def cdn(node_id: str = "cdn") -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.CDN,
        workers=10_000,
        service_ms=CDN_SERVICE_MS,
        queue_limit=0,
        ttl_s=3600.0,
    )


def replica(node_id: str, size: str = "m") -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.DATABASE,
        size=size,
        workers=SIZES[size].workers,
        service_ms=DATA_SERVICE_MS,
        queue_limit=DATABASE_QUEUE_LIMIT,
        role="replica",
        replication_lag_ms=REPLICATION_LAG_MS,
    )


def session_store(node_id: str = "sessions") -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.SESSION_STORE,
        workers=16,
        service_ms=CACHE_SERVICE_MS,
        queue_limit=10_000,
    )


JOB_SERVICE_MS = 500.0  # e.g. making thumbnails of an uploaded photo


def message_queue(node_id: str = "mq") -> NodeSpec:
    return NodeSpec(
        id=node_id, kind=NodeKind.MESSAGE_QUEUE, workers=64, service_ms=1.0, queue_limit=100_000
    )


def worker_pool(node_id: str = "workers", workers: int = 4) -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=NodeKind.WORKER_POOL,
        workers=workers,
        service_ms=JOB_SERVICE_MS,
        queue_limit=1_000_000,
    )


def single_server(rps: float = 100.0) -> Topology:
    """The chapter's first stage: DNS and one box that does everything."""
    return Topology(
        name="Single server",
        nodes=(dns(), web_server("web-1", holds_data=True)),
        links=(("dns", "web-1"),),
        traffic=Traffic(rps=rps, read_ratio=0.8, static_ratio=0.2, users=10_000, job_ratio=0.1),
    )
