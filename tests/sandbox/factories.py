"""Hand-made snapshots for rendering tests."""

from __future__ import annotations

from dataclasses import replace

from architect.sim.snapshot import (
    Event,
    EventKind,
    Latency,
    NodeKind,
    NodeSnapshot,
    NodeStatus,
    SeriesPoint,
    Snapshot,
)


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
    return replace(base, **fields)  # type: ignore[arg-type]


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
            SeriesPoint(t=float(t), throughput_rps=100.0 * t, p99_ms=None if t == 3 else 50.0,
                        error_rate=0.01)
            for t in range(1, 13)
        ),
        events=(
            Event(t=10.0, kind=EventKind.NODE_ADDED, node="web-3"),
            Event(t=12.4, kind=EventKind.NODE_FAILED, node="web-2"),
        ),
        cost_per_month=560.0,
        window_s=1.0,
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
