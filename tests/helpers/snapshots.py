"""Hand-made snapshots for rendering tests."""

from __future__ import annotations

from dataclasses import replace

from architect.sim.snapshot import (
    Event,
    EventKind,
    Jobs,
    Latency,
    NodeKind,
    NodeSnapshot,
    NodeStatus,
    SeriesPoint,
    Snapshot,
)

# What the engine allows in the hand-made architecture below (dns → lb → three web servers
# → db, nothing else yet): written out by hand, as the engine's checks would answer.
SITE_ACTIONS = frozenset(
    {
        "set_traffic", "set_traffic_mix", "add_web_server", "remove_web_server",
        "set_balancing", "set_autoscaling", "add_session_store", "add_cache", "add_replica",
        "add_shard", "add_cdn", "add_message_queue", "add_data_center", "set_operations",
    }
)  # fmt: skip


def node_actions(kind: NodeKind, status: NodeStatus, size: str) -> frozenset[str]:
    """A node's own actions: fail (restore when down), resize when it has a size, removal
    for a web server, workers for a pool."""
    actions = {"restore" if status == NodeStatus.DOWN else "fail"}
    if size:
        actions.add("resize")
    if kind == NodeKind.WEB_SERVER:
        actions.add("remove_web_server")
    if kind == NodeKind.WORKER_POOL:
        actions.add("set_workers")
    return frozenset(actions)


def node(node_id: str, kind: NodeKind = NodeKind.WEB_SERVER, **fields: object) -> NodeSnapshot:
    base = NodeSnapshot(
        id=node_id,
        kind=kind,
        status=NodeStatus.UP,
        size="m" if kind in (NodeKind.WEB_SERVER, NodeKind.DATABASE) else "",
        workers=0 if kind == NodeKind.DNS else 8,
        utilization=0.3,
        in_service=2,
        queued=0,
        throughput_rps=100.0,
        cost_per_month=140.0,
        in_rotation=True,
    )
    made = replace(base, **fields)  # type: ignore[arg-type]
    if "actions" in fields:
        return made
    return replace(made, actions=node_actions(made.kind, made.status, made.size))


def snapshot(**fields: object) -> Snapshot:
    base = Snapshot(
        t=12.4,
        offered_rps=12345.0,
        arrivals_rps=12000.0,
        throughput_rps=11800.5,
        error_rate=0.0123,
        latency=Latency(mean_ms=30.0, p50_ms=21.0, p95_ms=80.0, p99_ms=1234.5),
        nodes=(
            node("dns", NodeKind.DNS),
            node("lb", NodeKind.LOAD_BALANCER, size="", workers=64),
            node("web-1", utilization=0.42),
            node("web-2", utilization=0.7),
            node("web-3", utilization=0.9, queued=17),
            node("db", NodeKind.DATABASE),
        ),
        links=(
            ("dns", "lb"),
            ("lb", "web-1"),
            ("lb", "web-2"),
            ("lb", "web-3"),
            ("web-1", "db"),
            ("web-2", "db"),
            ("web-3", "db"),
        ),
        series=tuple(
            SeriesPoint(
                t=float(t),
                throughput_rps=100.0 * t,
                p99_ms=None if t == 3 else 50.0,
                error_rate=0.01,
            )
            for t in range(1, 13)
        ),
        events=(
            Event(t=10.0, kind=EventKind.NODE_ADDED, node="web-3"),
            Event(t=12.4, kind=EventKind.NODE_FAILED, node="web-2"),
        ),
        cost_per_month=560.0,
        window_s=1.0,
        allowed=SITE_ACTIONS,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def blocks_snapshot(*, webs: int = 2, replicas: int = 2, **fields: object) -> Snapshot:
    """Every building block: CDN, load balancer, web servers, cache, a primary and replicas."""
    web_ids = [f"web-{i}" for i in range(1, webs + 1)]
    replica_ids = [f"db-r{i}" for i in range(1, replicas + 1)]
    data = ["cache", "db", *replica_ids]
    nodes = (
        node("dns", NodeKind.DNS),
        node("cdn", NodeKind.CDN, size="", workers=10_000, utilization=0.01),
        node("lb", NodeKind.LOAD_BALANCER, size="", workers=64),
        *(node(i) for i in web_ids),
        node("cache", NodeKind.CACHE, size="", workers=16),
        node("db", NodeKind.DATABASE, role="primary", utilization=0.23),
        *(node(i, NodeKind.DATABASE, role="replica") for i in replica_ids),
    )
    links = (
        ("dns", "cdn"),
        ("cdn", "lb"),
        ("dns", "lb"),
        *(("lb", w) for w in web_ids),
        *((w, d) for w in web_ids for d in data),
    )
    base = snapshot(
        nodes=nodes,
        links=links,
        hit_ratios=(("cache", 0.873), ("cdn", 0.95)),
        stale_reads=1234,
        lost_writes=2,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def everything_snapshot(
    *, webs: int = 3, replicas: int = 1, shards: int = 2, booting: int = 0, **fields: object
) -> Snapshot:
    """Every building block, sharded data, a session store and a message queue with workers.

    The last ``booting`` web servers are still warming up: out of rotation, no link from lb.
    """
    s = blocks_snapshot(webs=webs, replicas=replicas)
    web_ids = [f"web-{i}" for i in range(1, webs + 1)]
    warming = set(web_ids[webs - booting :]) if booting else set()
    extra_shards = [f"db-s{i}" for i in range(1, shards)]
    nodes = (
        *tuple(
            replace(n, shard=0 if shards > 1 else -1)
            if n.kind == NodeKind.DATABASE
            else replace(n, in_rotation=False)
            if n.id in warming
            else n
            for n in s.nodes
        ),
        node("sessions", NodeKind.SESSION_STORE, size="", workers=16),
        *(
            node(i, NodeKind.DATABASE, role="primary", shard=k + 1, utilization=0.4)
            for k, i in enumerate(extra_shards)
        ),
        node("mq", NodeKind.MESSAGE_QUEUE, size="", workers=64),
        node("workers", NodeKind.WORKER_POOL, size="", workers=4, utilization=0.95),
    )
    links = (
        tuple(link for link in s.links if link[1] not in warming)
        + tuple((w, t) for w in web_ids for t in ("sessions", *extra_shards, "mq"))
        + (("mq", "workers"),)
    )
    jobs = Jobs(
        published_rps=32.0,
        done_rps=8.0,
        failed_rps=0.0,
        depth=546,
        latency=Latency(mean_ms=9000.0, p50_ms=8000.0, p95_ms=20000.0, p99_ms=26218.0),
    )
    return replace(s, nodes=nodes, links=links, sessions_lost=42, jobs=jobs, **fields)  # type: ignore[arg-type]
