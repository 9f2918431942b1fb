"""The passive description of an architecture: nodes, links, traffic, events.

A ``Topology`` is configuration only; ``architect.sim.model.validate`` lists its
problems and ``architect.sim.simulation`` builds a running simulation from a sound one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from architect.sim.blocks import OUTSIDE_CENTERS
from architect.sim.commands import Command
from architect.sim.model.costs import node_per_month
from architect.sim.model.sizes import SIZES
from architect.sim.snapshot import NodeKind


@dataclass(frozen=True, slots=True)
class Traffic:
    rps: float = 100.0  # mean arrival rate of a Poisson process
    read_ratio: float = 1.0  # share of dynamic requests that only read
    static_ratio: float = 0.0  # share of all requests for static assets
    keys: int = 100_000  # distinct data keys (and asset URLs)
    zipf_s: float = 1.0  # key popularity skew: 0 uniform, higher means hotter keys
    users: int = 0  # logged-in users with sessions (0: sessions are not tracked)
    job_ratio: float = 0.0  # share of writes that publish a background job (with a message queue)
    # share of reads whose query joins data of several shards: with sharded data that is not
    # denormalised (``Sharding.denormalised``), each asks every shard
    cross_shard_ratio: float = 0.0
    regions: tuple[
        tuple[str, float], ...
    ] = ()  # where users are: (region, weight); none: one region


@dataclass(frozen=True, slots=True)
class Network:
    latency_ms: float = 0.5  # one way, per link a request crosses
    cross_region_ms: float = 80.0  # one way, between a user and a data center in another region
    dc_sync_ms: float = 1000.0  # until a write in one data center reaches the others
    dc_sync: str = "async"  # none, async (dc_sync_ms later) or sync (the round trip, at once)
    dns_ttl_s: float = 0.0  # how long resolvers keep geoDNS's answer (0: failover is instant)


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
    # the data each query joins is kept in the query's own shard (stored twice if need be),
    # so no read asks every shard (``Traffic.cross_shard_ratio`` is then only what it asks)
    denormalised: bool = False
    # the celebrity problem's remedy: the hottest keys (0, 1, …) each on a shard of its own,
    # the last ``hot_keys`` shards; the rule spreads the other keys over the rest
    hot_keys: int = 0
    # the rule before the last split ("none": one database; "": no split recorded): a run
    # started from this topology copies the keys that split moved again from t = 0, as if
    # the split were made then (a lesson's run of the learner's architecture)
    split_from_strategy: str = ""
    split_from_shards: int = 0
    split_from_hot_keys: int = 0
    # resharding: how long copying the keys a new shard rule moves lasts (0: instantly,
    # for free); each moved key costs its old shard a read and its new shard a write
    copy_s: float = 0.0

    def settled(self) -> Sharding:
        """The same data with no split to copy again (its keys are in place)."""
        return replace(self, split_from_strategy="", split_from_shards=0, split_from_hot_keys=0)


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
    assets: float = 1.0  # CDNs only: the share of assets it serves, the most requested first
    eviction: str = "lru"  # caches only
    writes: str = "invalidate"  # caches only: a write drops the copy, or it stays until expiry
    role: str = "primary"  # databases only: primary or replica
    replication_lag_ms: float = 100.0  # replicas only
    failover_s: float = 10.0  # primaries only: until a replica is promoted
    shard: int = 0  # databases only: which shard of the data it holds
    dc: str = ""  # the data center it stands in ("" when there is only one)
    geo_routing: bool = False  # DNS only: send users to the nearest healthy data center

    def resized(self, size: str) -> NodeSpec:
        return replace(self, size=size, workers=SIZES[size].workers)

    def cost_per_month(self, requests_per_s: float = 0.0, fetched_per_s: float = 0.0) -> float:
        """What it costs a month (model/costs.py); a CDN sending ``requests_per_s`` and
        fetching ``fetched_per_s`` from the origin."""
        return node_per_month(self.kind, self.workers, requests_per_s, fetched_per_s)


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


def data_centers(topology: Topology) -> list[str]:
    """The data centers in the order their first node appears ([""] when none is named)."""
    centers: list[str] = []
    for node in topology.nodes:
        if node.kind not in OUTSIDE_CENTERS and node.dc not in centers:
            centers.append(node.dc)
    return centers or [""]
