"""Immutable pictures of a simulation at one moment, for display.

A ``Snapshot`` holds only plain values: the web layer renders it without
touching the engine, and a test can compare two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NodeKind(StrEnum):
    DNS = "dns"
    LOAD_BALANCER = "load_balancer"
    CDN = "cdn"
    WEB_SERVER = "web_server"
    CACHE = "cache"
    SESSION_STORE = "session_store"
    MESSAGE_QUEUE = "message_queue"
    WORKER_POOL = "worker_pool"
    DATABASE = "database"


class NodeStatus(StrEnum):
    UP = "up"
    DOWN = "down"


class EventKind(StrEnum):
    """What happened. The web layer turns each kind into a sentence."""

    NODE_FAILED = "node_failed"  # node
    NODE_RESTORED = "node_restored"  # node
    BACKEND_REMOVED = (
        "backend_removed"  # node=lb, peer=backend, count=failed meanwhile, since=fail time
    )
    BACKEND_ADDED = "backend_added"  # node=lb, peer=backend (back in rotation)
    NODE_ADDED = "node_added"  # node
    NODE_REMOVED = "node_removed"  # node
    NODE_RESIZED = "node_resized"  # node, text=size
    TRAFFIC_CHANGED = "traffic_changed"  # value=rps
    TRAFFIC_MIX_CHANGED = "traffic_mix_changed"  # value=read ratio, since=static ratio, text=zipf s
    NO_TRAFFIC = "no_traffic"  # node: a web server that DNS does not reach (no load balancer)
    SITE_DOWN = "site_down"  # node: the entry point failed, nothing can be served
    DATABASE_SEPARATED = "database_separated"  # node=database
    PRIMARY_PROMOTED = "primary_promoted"  # node=new primary, peer=failed one, count=writes lost
    NODE_REPAIRED = "node_repaired"  # node, since=fail time, text=who: unmonitored|manual|automated
    OPERATIONS_CHANGED = "operations_changed"  # text=monitoring|automation|none (what is on now)
    BALANCING_CHANGED = "balancing_changed"  # node=lb, text=algorithm
    SESSIONS_SHARED = "sessions_shared"  # node=session store: any web server can serve anyone
    SCALED_OUT = (
        "scaled_out"  # count=servers added, value=utilisation seen, text=new ids (comma list)
    )
    SCALED_IN = "scaled_in"  # node=server removed, value=utilisation seen
    AUTOSCALING_CHANGED = "autoscaling_changed"  # count=min, value=max, text=on|off
    QUEUE_ADDED = "queue_added"  # node=message queue, peer=worker pool
    WORKERS_SET = "workers_set"  # node=worker pool, count=workers
    CENTER_FAILED = "center_failed"  # text=data center: every node in it failed
    CENTER_RESTORED = "center_restored"  # text=data center
    # text=new data center (its region), peer=the center copied, count=nodes copied
    CENTER_ADDED = "center_added"
    # node=new shard's primary, count=shards now, value=share of keys moved, text=strategy
    SHARD_ADDED = "shard_added"
    CDN_PURGED = "cdn_purged"  # node=cdn: every edge copy dropped
    ASSETS_VERSIONED = "assets_versioned"  # node=cdn, count=new version: new URLs, cold edge
    EVENT_REFUSED = (
        "event_refused"  # a scripted event the engine refused: peer=action, text=error code, node
    )


@dataclass(frozen=True, slots=True)
class Event:
    """One line of the event log. Fields a kind does not use stay empty."""

    t: float
    kind: EventKind
    node: str = ""
    peer: str = ""
    count: int = 0
    value: float = 0.0
    since: float = 0.0
    text: str = ""


@dataclass(frozen=True, slots=True)
class Latency:
    """Latency of completed requests, in milliseconds."""

    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass(frozen=True, slots=True)
class Jobs:
    """Background jobs published to the message queue, over the window."""

    published_rps: float
    done_rps: float
    failed_rps: float  # could not be published (the queue was down)
    depth: int  # jobs waiting in the queue now
    latency: Latency | None  # from publishing to done


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    id: str
    kind: NodeKind
    status: NodeStatus
    size: str  # "" for kinds without sizes
    workers: int
    utilization: float  # share of worker time busy over the window, 0..1
    in_service: int
    queued: int
    throughput_rps: float  # requests this node finished per second over the window
    cost_per_month: float
    in_rotation: bool  # False when a load balancer stopped sending to it (or DNS does not reach it)
    role: str = ""  # databases: "primary" or "replica"
    shard: int = -1  # databases of sharded data: which shard; -1 otherwise
    dc: str = ""  # its data center, when there are several


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One simulated second of history."""

    t: float  # end of the second
    throughput_rps: float
    p99_ms: float | None  # None when nothing completed
    error_rate: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    t: float  # simulated seconds since start
    offered_rps: float  # the configured mean arrival rate
    arrivals_rps: float  # measured over the window
    throughput_rps: float  # served (completed successfully) per second over the window
    error_rate: float  # failed / (served + failed) over the window, 0..1
    latency: Latency | None  # None when nothing completed in the window
    nodes: tuple[NodeSnapshot, ...]
    links: tuple[tuple[str, str], ...]
    series: tuple[SeriesPoint, ...]  # oldest first, at most 60
    events: tuple[Event, ...]  # oldest first, the most recent ones
    cost_per_month: float
    window_s: float  # length of the window the rates are measured over
    hit_ratios: tuple[
        tuple[str, float], ...
    ] = ()  # (cache or CDN id, hits ÷ lookups over the window)
    stale_reads: int = 0  # reads a replica answered before it had applied the latest write
    lost_writes: int = 0  # writes lost because a primary failed before replicating them
    sessions_lost: int = 0  # users logged out because their request reached another server
    jobs: Jobs | None = None  # when there is a message queue
    # how traffic is simulated: "per_request" (every request) or "aggregate" (flows)
    mode: str = "per_request"

    def node(self, node_id: str) -> NodeSnapshot:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)
