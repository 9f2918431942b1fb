"""Immutable pictures of a simulation at one moment: the whole contract with every view.

A ``Snapshot`` holds only plain values: the figures, the architecture, what the
learner set (``Settings``) and which actions would succeed now (``allowed``, each
node's ``actions``, each center's). The web layer renders it without touching the
engine, in this process or another (``architect.sim.snapshot_data`` turns it into
plain data and back), and a test can compare two of them.
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
    # text=data center: every node in it failed; count=its writes the others never got
    CENTER_FAILED = "center_failed"
    CENTER_RESTORED = "center_restored"  # text=data center
    # text=new data center (its region), peer=the center copied, count=nodes copied
    CENTER_ADDED = "center_added"
    # node=new shard's primary, count=shards now, value=share of keys moved, text=strategy
    SHARD_ADDED = "shard_added"
    DENORMALISED = "denormalised"  # value=share of reads that no longer ask every shard
    # node=the key's new shard's primary, count=the key's rank (1: hottest), value=its share
    HOT_KEY_ISOLATED = "hot_key_isolated"
    # node=new shard's primary, count=keys copied, value=seconds the copy took, since=start
    KEYS_COPIED = "keys_copied"
    CDN_PURGED = "cdn_purged"  # node=cdn: every edge copy dropped
    ASSETS_VERSIONED = "assets_versioned"  # node=cdn, count=new version: new URLs, cold edge
    CACHE_SET = "cache_set"  # node=cache, value=TTL s, text=eviction
    CDN_SET = "cdn_set"  # node=cdn, value=share of the assets it serves
    SYNC_SET = "sync_set"  # text=none|async|sync, value=the async lag in ms
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
    # the per-node actions that would succeed now: fail, restore, resize, remove_web_server,
    # set_workers (architect.sim.changes.allowed)
    actions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CenterSnapshot:
    """A data center, and the actions on it that would succeed now."""

    name: str  # "" for the one unnamed center of a site that has not opened another
    actions: frozenset[str] = frozenset()  # fail_data_center, restore_data_center


@dataclass(frozen=True, slots=True)
class Settings:
    """What the learner chose that the nodes do not show: the forms' current values."""

    algorithm: str = ""  # the load balancer's; "" without one
    autoscaling: bool = False
    autoscale_min: int = 2
    autoscale_max: int = 10
    autoscale_target: float = 0.6
    monitoring: bool = False
    automation: bool = False
    sharding: str = "none"  # none, modulo or consistent_hash
    shards: int = 1
    read_ratio: float = 1.0
    static_ratio: float = 0.0
    zipf_s: float = 1.0
    users: int = 0  # logged-in users tracked (0: sessions are not tracked)
    cache_ttl_s: float = 60.0  # the cache's (the defaults without one)
    cache_eviction: str = "lru"
    cache_writes: str = "invalidate"
    cdn_assets: float = 1.0  # the share of assets the CDN serves (1 without one)
    dc_sync: str = "async"  # how writes reach the other data centers


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One closed simulated second: what the charts draw and what a lesson's goal judges.

    The engine writes one when each whole second of simulated time closes, whatever
    the steps it was advanced in, so every second has exactly one (``second``).
    """

    t: float  # end of the second, in simulated seconds since the start
    throughput_rps: float
    p99_ms: float | None  # None when nothing completed
    error_rate: float
    offered_rps: float = 0.0  # the configured arrival rate when the second closed
    latency: Latency | None = None  # of the requests completed in the second
    cost_per_month: float = 0.0  # the architecture's, at the rate of this second's traffic
    # (node id, busy share of worker time in the second) of every node with workers
    utilization: tuple[tuple[str, float], ...] = ()
    hit_ratios: tuple[tuple[str, float], ...] = ()  # (cache or CDN id, hits ÷ lookups)
    lost_writes: int = 0  # since the start, when the second closed
    sessions_lost: int = 0  # since the start
    stale_reads: int = 0  # since the start
    queue_depth: int | None = None  # jobs waiting when the second closed (with a queue)
    # (node id, requests waiting for its workers when the second closed) of every node with
    # workers but the worker pool (whose waiting jobs are ``queue_depth``)
    queued: tuple[tuple[str, int], ...] = ()
    mode: str = "per_request"

    @property
    def second(self) -> int:
        """Which second this is: the n-th closes at t = n."""
        return round(self.t)


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
    series: tuple[SeriesPoint, ...]  # the closed seconds, oldest first, at most 60
    events: tuple[Event, ...]  # oldest first, the most recent ones
    cost_per_month: float
    window_s: float  # length of the window the rates are measured over
    hit_ratios: tuple[
        tuple[str, float], ...
    ] = ()  # (cache or CDN id, hits ÷ lookups over the window)
    stale_reads: int = 0  # reads answered older than the latest write (a replica, a cache copy)
    lost_writes: int = 0  # writes lost because a primary failed before replicating them
    sessions_lost: int = 0  # users logged out because their request reached another server
    jobs: Jobs | None = None  # when there is a message queue
    # how traffic is simulated: "per_request" (every request) or "aggregate" (flows)
    mode: str = "per_request"
    settings: Settings = Settings()
    # the site-wide actions that would succeed now (architect.sim.changes.allowed)
    allowed: frozenset[str] = frozenset()
    centers: tuple[CenterSnapshot, ...] = ()

    def node(self, node_id: str) -> NodeSnapshot:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def allows(self, action: str, *, node: str = "", center: str = "") -> bool:
        """Whether ``action`` would succeed now: on ``node``, on data center ``center``, or
        (neither given) site-wide, with the parameters a page sends by default."""
        if node:
            return any(n.id == node and action in n.actions for n in self.nodes)
        if center:
            return any(c.name == center and action in c.actions for c in self.centers)
        return action in self.allowed
