"""The passive description of an architecture: nodes, links, traffic, events.

A ``Topology`` is configuration only; ``architect.sim.simulation`` builds a
running simulation from it after ``validate`` finds no problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from architect.sim.commands import Command
from architect.sim.model.problems import (
    POSITIVE,
    WHOLE_1_OR_MORE,
    ZERO_OR_MORE,
    Problem,
    TopologyError,
    between,
    one_of,
)
from architect.sim.model.sizes import SIZES
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_, Text

__all__ = [  # callers import Problem and TopologyError from here too
    "GLOBAL_KINDS",
    "MAX_NODES",
    "Autoscaling",
    "Network",
    "NodeSpec",
    "Operations",
    "Problem",
    "ScheduledEvent",
    "Sharding",
    "Topology",
    "TopologyError",
    "Traffic",
    "validate",
]

MAX_NODES = 64
MAX_WEB_SERVERS = 20
SERVICE_DISTRIBUTIONS = ("exponential", "constant")
EVICTIONS = ("lru", "lfu", "fifo")
DATABASE_ROLES = ("primary", "replica")
MAX_REPLICAS = 8
MAX_KEYS = 1_000_000
MAX_SHARDS = 16
MAX_DATA_CENTERS = 8
GLOBAL_KINDS = (NodeKind.DNS, NodeKind.CDN)  # they stand outside every data center
SHARDING_STRATEGIES = ("none", "modulo", "consistent_hash")
BALANCING_ALGORITHMS = ("round_robin", "least_connections", "sticky")
MAX_EVENTS = 200
MAX_EVENT_AT_S = 86_400.0
KIND_COST_PER_MONTH = {NodeKind.DNS: 0.0, NodeKind.LOAD_BALANCER: 25.0}


@dataclass(frozen=True, slots=True)
class Traffic:
    rps: float = 100.0  # mean arrival rate of a Poisson process
    read_ratio: float = 1.0  # share of dynamic requests that only read
    static_ratio: float = 0.0  # share of all requests for static assets
    keys: int = 100_000  # distinct data keys (and asset URLs)
    zipf_s: float = 1.0  # key popularity skew: 0 uniform, higher means hotter keys
    users: int = 0  # logged-in users with sessions (0: sessions are not tracked)
    job_ratio: float = 0.0  # share of writes that publish a background job (with a message queue)
    cross_shard_ratio: float = 0.0  # share of reads that query every shard (sharded data only)
    regions: tuple[
        tuple[str, float], ...
    ] = ()  # where users are: (region, weight); none: one region


@dataclass(frozen=True, slots=True)
class Network:
    latency_ms: float = 0.5  # one way, per link a request crosses
    cross_region_ms: float = 80.0  # one way, between a user and a data center in another region
    dc_sync_ms: float = 1000.0  # until a write in one data center reaches the others


@dataclass(frozen=True, slots=True)
class Operations:
    """How failed nodes come back: who notices, and who repairs.

    Without monitoring nobody notices until users complain; with it, an engineer
    is paged; with automation too, a failed node is replaced by a script.
    """

    monitoring: bool = False
    automation: bool = False
    unmonitored_repair_s: float = 1800.0
    manual_repair_s: float = 300.0
    automated_repair_s: float = 30.0

    @property
    def repair_s(self) -> float:
        if self.monitoring and self.automation:
            return self.automated_repair_s
        return self.manual_repair_s if self.monitoring else self.unmonitored_repair_s


@dataclass(frozen=True, slots=True)
class Autoscaling:
    """Add web servers when they are busy, remove them when they are idle."""

    enabled: bool = False
    min: int = 2
    max: int = 10
    target_utilization: float = 0.6
    warmup_s: float = 30.0  # a new server boots before it takes traffic
    interval_s: float = 10.0  # how often the policy looks


@dataclass(frozen=True, slots=True)
class Sharding:
    """How keys are split across database shards (``none``: one shard)."""

    strategy: str = "none"  # none, modulo or consistent_hash
    shards: int = 1
    vnodes: int = 100  # consistent_hash only: points per shard on the ring


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """One node. Every kind but DNS is a queue with ``workers`` servers."""

    id: str
    kind: NodeKind
    size: str = ""
    workers: int = 1
    service_ms: float = 1.0
    service_dist: str = "exponential"
    queue_limit: int = 1000
    algorithm: str = "round_robin"  # load balancers only
    health_check_s: float = 2.0  # load balancers only
    capacity_keys: int = 10_000  # caches only
    ttl_s: float = 60.0  # caches and CDNs: how long a copy is served
    eviction: str = "lru"  # caches only
    role: str = "primary"  # databases only: primary or replica
    replication_lag_ms: float = 100.0  # replicas only
    failover_s: float = 10.0  # primaries only: until a replica is promoted
    shard: int = 0  # databases only: which shard of the data it holds
    dc: str = ""  # the data center it stands in ("" when there is only one)
    geo_routing: bool = False  # DNS only: send users to the nearest healthy data center

    def resized(self, size: str) -> NodeSpec:
        return replace(self, size=size, workers=SIZES[size].workers)

    @property
    def cost_per_month(self) -> float:
        if self.size:
            return SIZES[self.size].cost_per_month
        return KIND_COST_PER_MONTH.get(self.kind, 0.0)


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    """A change the scenario makes ``at`` simulated seconds after the simulation starts."""

    at: float
    command: Command


@dataclass(frozen=True, slots=True)
class Topology:
    name: str
    nodes: tuple[NodeSpec, ...]
    links: tuple[tuple[str, str], ...]
    traffic: Traffic = field(default_factory=Traffic)
    network: Network = field(default_factory=Network)
    operations: Operations = field(default_factory=Operations)
    sharding: Sharding = field(default_factory=Sharding)
    autoscaling: Autoscaling = field(default_factory=Autoscaling)
    events: tuple[ScheduledEvent, ...] = ()  # a scripted scenario, in the order written

    def node(self, node_id: str) -> NodeSpec:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def targets(self, node_id: str) -> tuple[str, ...]:
        return tuple(b for a, b in self.links if a == node_id)


def validate(topology: Topology) -> list[Problem]:
    """Every problem with a topology, in order; an empty list when sound."""
    problems: list[Problem] = []
    problems += _node_problems(topology)
    problems += _link_problems(topology)
    problems += autoscaling_problems(topology.autoscaling)
    sharding = topology.sharding
    if sharding.strategy not in SHARDING_STRATEGIES:
        problems.append(one_of("sharding.strategy", SHARDING_STRATEGIES))
    if not 1 <= sharding.shards <= MAX_SHARDS:
        problems.append(between("sharding.shards", 1, MAX_SHARDS))
    if sharding.strategy == "none" and sharding.shards != 1:
        problems.append(
            Problem("sharding.shards", N_("needs a strategy: modulo or consistent_hash"))
        )
    traffic = topology.traffic
    if traffic.rps < 0:
        problems.append(Problem("traffic.rps", ZERO_OR_MORE))
    if len(traffic.regions) > MAX_DATA_CENTERS * 2 or any(w < 0 for _, w in traffic.regions):
        problems.append(
            Problem("traffic.regions", N_("at most 16 regions, each with a weight of zero or more"))
        )
    elif traffic.regions and sum(w for _, w in traffic.regions) <= 0:
        problems.append(Problem("traffic.regions", N_("the weights must add up to more than zero")))
    for name in ("read_ratio", "static_ratio", "job_ratio", "cross_shard_ratio"):
        if not 0 <= getattr(traffic, name) <= 1:
            problems.append(between(f"traffic.{name}", 0, 1))
    if not 1 <= traffic.keys <= MAX_KEYS:
        problems.append(between("traffic.keys", 1, MAX_KEYS))
    if not 0 <= traffic.users <= MAX_KEYS:
        problems.append(between("traffic.users", 0, MAX_KEYS))
    if not 0 <= traffic.zipf_s <= 3:
        problems.append(between("traffic.zipf_s", 0, 3))
    operations = topology.operations
    if operations.automation and not operations.monitoring:
        problems.append(
            Problem(
                "operations.automation",
                N_("needs monitoring: a script cannot fix what nobody measures"),
            )
        )
    for name in ("unmonitored_repair_s", "manual_repair_s", "automated_repair_s"):
        if getattr(operations, name) <= 0:
            problems.append(Problem(f"operations.{name}", POSITIVE))
    if topology.network.latency_ms < 0:
        problems.append(Problem("network.latency_ms", ZERO_OR_MORE))
    return problems + event_problems(topology.events)


def event_problems(events: tuple[ScheduledEvent, ...]) -> list[Problem]:
    """Too many scripted events, or one at an impossible time."""
    if len(events) > MAX_EVENTS:
        return [Problem("events", N_("at most %(limit)s events"), {"limit": MAX_EVENTS})]
    return [
        between(f"events[{i}].at", 0, MAX_EVENT_AT_S)
        for i, event in enumerate(events)
        if not 0 <= event.at <= MAX_EVENT_AT_S
    ]


def _node_problems(topology: Topology) -> list[Problem]:
    problems: list[Problem] = []
    if len(topology.nodes) > MAX_NODES:
        problems.append(Problem("nodes", N_("at most %(limit)s nodes"), {"limit": MAX_NODES}))
    seen: set[str] = set()
    for i, node in enumerate(topology.nodes):
        path = f"nodes[{i}]"
        if node.id in seen:
            problems.append(Problem(f"{path}.id", N_('"%(id)s" is used twice'), {"id": node.id}))
        seen.add(node.id)
        if node.size and node.size not in SIZES:
            problems.append(one_of(f"{path}.size", list(SIZES)))
        if node.workers < 1:
            problems.append(Problem(f"{path}.workers", WHOLE_1_OR_MORE))
        if node.service_ms <= 0:
            problems.append(Problem(f"{path}.service_ms", POSITIVE))
        if node.service_dist not in SERVICE_DISTRIBUTIONS:
            problems.append(one_of(f"{path}.service_dist", SERVICE_DISTRIBUTIONS))
        if node.queue_limit < 0:
            problems.append(Problem(f"{path}.queue_limit", ZERO_OR_MORE))
        if node.algorithm not in BALANCING_ALGORITHMS:
            problems.append(one_of(f"{path}.algorithm", BALANCING_ALGORITHMS))
        if node.health_check_s <= 0:
            problems.append(Problem(f"{path}.health_check_s", POSITIVE))
        problems += _data_problems(node, path)
    dns = [n for n in topology.nodes if n.kind == NodeKind.DNS]
    if len(dns) != 1:
        problems.append(Problem("nodes", N_("needs exactly one node of kind dns")))
    web = [n for n in topology.nodes if n.kind == NodeKind.WEB_SERVER]
    if not web:
        problems.append(Problem("nodes", N_("needs at least one web_server")))
    if len(web) > MAX_WEB_SERVERS:
        problems.append(
            Problem("nodes", N_("at most %(limit)s web servers"), {"limit": MAX_WEB_SERVERS})
        )
    if sum(n.kind == NodeKind.CDN for n in topology.nodes) > 1:
        problems.append(
            Problem("nodes", N_("at most one node of kind %(kind)s"), {"kind": NodeKind.CDN.value})
        )
    centers = data_centers(topology)
    placed = [n for n in topology.nodes if n.kind not in GLOBAL_KINDS]
    if len(centers) > 1 and any(not n.dc for n in placed):
        problems.append(Problem("nodes", N_("give every node a data center (dc), or none")))
    if len(centers) > MAX_DATA_CENTERS:
        problems.append(
            Problem("nodes", N_("at most %(limit)s data centers"), {"limit": MAX_DATA_CENTERS})
        )
    for center in centers:
        problems += _center_problems(
            [n for n in placed if n.dc == center], center, topology.sharding.shards
        )
    return problems


def _center_problems(nodes: list[NodeSpec], center: str, shards: int) -> list[Problem]:
    """What one data center must hold: at most one of each single kind, a primary per shard."""
    problems: list[Problem] = []
    singles = (
        NodeKind.LOAD_BALANCER,
        NodeKind.CACHE,
        NodeKind.SESSION_STORE,
        NodeKind.MESSAGE_QUEUE,
        NodeKind.WORKER_POOL,
    )
    for kind in singles:
        if sum(n.kind == kind for n in nodes) > 1:
            reason = (
                N_("at most one node of kind %(kind)s in data center %(center)s")
                if center
                else N_("at most one node of kind %(kind)s")
            )
            problems.append(Problem("nodes", reason, {"kind": kind.value, "center": center}))
    databases = [n for n in nodes if n.kind == NodeKind.DATABASE]
    for index in sorted(
        {n.shard for n in databases} | (set(range(shards)) if databases else set())
    ):
        held = [n for n in databases if n.shard == index]
        where = _where_data(index if shards > 1 else None, center)
        if index >= shards:
            problems.append(
                Problem(
                    "nodes",
                    N_("shard %(shard)s does not exist: sharding.shards is %(shards)s"),
                    {"shard": index, "shards": shards},
                )
            )
        elif sum(n.role == "primary" for n in held) != 1:
            problems.append(
                Problem(
                    "nodes", N_("%(where)s needs exactly one primary database"), {"where": where}
                )
            )
        if sum(n.role == "replica" for n in held) > MAX_REPLICAS:
            problems.append(
                Problem(
                    "nodes",
                    N_("at most %(limit)s replicas of %(where)s"),
                    {"limit": MAX_REPLICAS, "where": where},
                )
            )
    if any(n.kind == NodeKind.CACHE for n in nodes) and not databases:
        reason = (
            N_("a cache needs a database to read through to in data center %(center)s")
            if center
            else N_("a cache needs a database to read through to")
        )
        problems.append(Problem("nodes", reason, {"center": center} if center else {}))
    return problems


def _where_data(shard: int | None, center: str) -> Text:
    """``shard 1`` or ``the data``, in a data center when there are several."""
    if shard is None:
        return (
            Text(N_("the data in data center %(center)s"), {"center": center})
            if center
            else Text(N_("the data"))
        )
    if center:
        return Text(
            N_("shard %(shard)s in data center %(center)s"), {"shard": shard, "center": center}
        )
    return Text(N_("shard %(shard)s"), {"shard": shard})


def data_centers(topology: Topology) -> list[str]:
    """The data centers in the order their first node appears ([""] when none is named)."""
    centers: list[str] = []
    for node in topology.nodes:
        if node.kind not in GLOBAL_KINDS and node.dc not in centers:
            centers.append(node.dc)
    return centers or [""]


def _data_problems(node: NodeSpec, path: str) -> list[Problem]:
    """Problems with the fields of caches, CDNs and databases."""
    problems: list[Problem] = []
    if node.capacity_keys < 1:
        problems.append(Problem(f"{path}.capacity_keys", WHOLE_1_OR_MORE))
    if node.ttl_s <= 0:
        problems.append(Problem(f"{path}.ttl_s", POSITIVE))
    if node.eviction not in EVICTIONS:
        problems.append(one_of(f"{path}.eviction", EVICTIONS))
    if node.role not in DATABASE_ROLES:
        problems.append(one_of(f"{path}.role", DATABASE_ROLES))
    if node.replication_lag_ms < 0:
        problems.append(Problem(f"{path}.replication_lag_ms", ZERO_OR_MORE))
    if node.failover_s <= 0:
        problems.append(Problem(f"{path}.failover_s", POSITIVE))
    return problems


# Which kinds a link may lead from and to: requests flow left to right.
_ALLOWED_LINKS = {
    (NodeKind.DNS, NodeKind.LOAD_BALANCER),
    (NodeKind.DNS, NodeKind.WEB_SERVER),
    (NodeKind.DNS, NodeKind.CDN),
    (NodeKind.CDN, NodeKind.LOAD_BALANCER),
    (NodeKind.CDN, NodeKind.WEB_SERVER),
    (NodeKind.LOAD_BALANCER, NodeKind.WEB_SERVER),
    (NodeKind.WEB_SERVER, NodeKind.CACHE),
    (NodeKind.WEB_SERVER, NodeKind.SESSION_STORE),
    (NodeKind.WEB_SERVER, NodeKind.MESSAGE_QUEUE),
    (NodeKind.MESSAGE_QUEUE, NodeKind.WORKER_POOL),
    (NodeKind.WEB_SERVER, NodeKind.DATABASE),
}


def _link_problems(topology: Topology) -> list[Problem]:
    problems: list[Problem] = []
    kinds = {n.id: n.kind for n in topology.nodes}
    for i, (source, target) in enumerate(topology.links):
        unknown = [n for n in (source, target) if n not in kinds]
        for node_id in unknown:
            problems.append(
                Problem(f"links[{i}]", N_('unknown node "%(node)s"'), {"node": node_id})
            )
        if not unknown and (kinds[source], kinds[target]) not in _ALLOWED_LINKS:
            problems.append(
                Problem(
                    f"links[{i}]",
                    N_("a %(source_kind)s cannot send requests to a %(target_kind)s"),
                    {"source_kind": kinds[source].value, "target_kind": kinds[target].value},
                )
            )
    centers = {n.id: n.dc for n in topology.nodes if n.kind not in GLOBAL_KINDS}
    for i, (source, target) in enumerate(topology.links):
        if source in centers and target in centers and centers[source] != centers[target]:
            problems.append(
                Problem(f"links[{i}]", N_("crosses data centers: each center has its own path"))
            )
    dns_targets = [b for a, b in topology.links if kinds.get(a) == NodeKind.DNS]
    origins = [centers.get(t, "") for t in dns_targets if kinds.get(t) != NodeKind.CDN]
    if any(k == NodeKind.DNS for k in kinds.values()):
        for center in data_centers(topology):
            if origins.count(center) != 1:
                reason = (
                    N_(
                        "DNS must point at exactly one origin in data center %(center)s"
                        " (a load balancer or a web server)"
                    )
                    if center
                    else N_(
                        "DNS must point at exactly one origin (a load balancer or a web server)"
                    )
                )
                problems.append(Problem("links", reason, {"center": center} if center else {}))
    return problems


def autoscaling_problems(policy: Autoscaling, path: str = "autoscaling") -> list[Problem]:
    problems: list[Problem] = []
    if not 1 <= policy.min <= policy.max <= MAX_WEB_SERVERS:
        problems.append(
            Problem(
                f"{path}.min", N_("needs 1 ≤ min ≤ max ≤ %(limit)s"), {"limit": MAX_WEB_SERVERS}
            )
        )
    if not 0.05 <= policy.target_utilization <= 0.95:
        problems.append(between(f"{path}.target_utilization", 0.05, 0.95))
    for name in ("warmup_s", "interval_s"):
        if getattr(policy, name) <= 0:
            problems.append(Problem(f"{path}.{name}", POSITIVE))
    return problems
