"""Whether a ``Topology`` is sound: every problem with it, each with its path and reason."""

from __future__ import annotations

from architect.sim.blocks import BLOCKS, OUTSIDE_CENTERS, may_link
from architect.sim.model.limits import (
    BALANCING_ALGORITHMS,
    CACHE_WRITES,
    DATABASE_ROLES,
    DC_SYNC_MODES,
    EVICTIONS,
    MAX_DATA_CENTERS,
    MAX_EVENT_AT_S,
    MAX_EVENTS,
    MAX_KEYS,
    MAX_NODES,
    MAX_REPLICAS,
    MAX_SHARDS,
    MAX_WEB_SERVERS,
    SERVICE_DISTRIBUTIONS,
    SHARDING_STRATEGIES,
)
from architect.sim.model.problems import (
    POSITIVE,
    WHOLE_1_OR_MORE,
    ZERO_OR_MORE,
    Problem,
    between,
    one_of,
)
from architect.sim.model.sizes import SIZES
from architect.sim.model.topology import (
    Autoscaling,
    NodeSpec,
    ScheduledEvent,
    Topology,
    data_centers,
)
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_, Text

# Reasons the loader tells apart (``loader._Reader.also``).
UNKNOWN_NODE = N_('unknown node "%(node)s"')
CROSSES = N_("crosses data centers: each center has its own path")


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
    if not 0 <= sharding.hot_keys < max(sharding.shards, 1) or (
        sharding.hot_keys and sharding.strategy == "none"
    ):
        problems.append(
            Problem("sharding.hot_keys", N_("needs fewer hot keys than shards, and a strategy"))
        )
    if sharding.split_from_strategy and (
        sharding.split_from_strategy not in SHARDING_STRATEGIES
        or not 1 <= sharding.split_from_shards < sharding.shards
        or not 0 <= sharding.split_from_hot_keys <= sharding.hot_keys
    ):
        problems.append(
            Problem("sharding.split_from_strategy", N_("must be the rule before the last split"))
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
    if topology.network.dc_sync not in DC_SYNC_MODES:
        problems.append(one_of("network.dc_sync", DC_SYNC_MODES))
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
    for kind in OUTSIDE_CENTERS:
        if BLOCKS[kind].single and sum(n.kind == kind for n in topology.nodes) > 1:
            problems.append(
                Problem("nodes", N_("at most one node of kind %(kind)s"), {"kind": kind.value})
            )
    centers = data_centers(topology)
    placed = [n for n in topology.nodes if n.kind not in OUTSIDE_CENTERS]
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
    singles = [kind for kind, b in BLOCKS.items() if b.single and not b.outside_centers]
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


def _data_problems(node: NodeSpec, path: str) -> list[Problem]:
    """Problems with the fields of caches, CDNs and databases."""
    problems: list[Problem] = []
    if node.capacity_keys < 1:
        problems.append(Problem(f"{path}.capacity_keys", WHOLE_1_OR_MORE))
    if node.ttl_s <= 0:
        problems.append(Problem(f"{path}.ttl_s", POSITIVE))
    if node.eviction not in EVICTIONS:
        problems.append(one_of(f"{path}.eviction", EVICTIONS))
    if node.writes not in CACHE_WRITES:
        problems.append(one_of(f"{path}.writes", CACHE_WRITES))
    if node.role not in DATABASE_ROLES:
        problems.append(one_of(f"{path}.role", DATABASE_ROLES))
    if node.replication_lag_ms < 0:
        problems.append(Problem(f"{path}.replication_lag_ms", ZERO_OR_MORE))
    if node.failover_s <= 0:
        problems.append(Problem(f"{path}.failover_s", POSITIVE))
    return problems


def _link_problems(topology: Topology) -> list[Problem]:
    problems: list[Problem] = []
    kinds = {n.id: n.kind for n in topology.nodes}
    for i, (source, target) in enumerate(topology.links):
        unknown = [n for n in (source, target) if n not in kinds]
        for node_id in unknown:
            problems.append(Problem(f"links[{i}]", UNKNOWN_NODE, {"node": node_id}))
        if not unknown and not may_link(kinds[source], kinds[target]):
            problems.append(
                Problem(
                    f"links[{i}]",
                    N_("a %(source_kind)s cannot send requests to a %(target_kind)s"),
                    {"source_kind": kinds[source].value, "target_kind": kinds[target].value},
                )
            )
    centers = {n.id: n.dc for n in topology.nodes if n.kind not in OUTSIDE_CENTERS}
    for i, (source, target) in enumerate(topology.links):
        if source in centers and target in centers and centers[source] != centers[target]:
            problems.append(Problem(f"links[{i}]", CROSSES))
    dns_targets = [b for a, b in topology.links if kinds.get(a) == NodeKind.DNS]
    origins = [centers.get(t, "") for t in dns_targets if t in kinds and not BLOCKS[kinds[t]].edge]
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
