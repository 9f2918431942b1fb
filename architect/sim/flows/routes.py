"""The routes of aggregate mode: where each class of request goes after each station.

``build(sim)`` reads the simulation's current wiring (the same journey, balancers,
data tiers, failures and traffic mix the per-request engine uses) and returns a
``Graph``: one ``Flow`` per (station, class of request), each with the shares of
its departures that go to the next flows or end (served, failed, a job done).
Branches that per-request mode draws one request at a time become shares here:
the CDN's and the cache's hit ratios (``hitratio``), the load balancer's even
split over the backends in rotation, replicas taking reads in turn, shards by the
Zipf weight of the keys they hold, and a cross-shard read fanning out to every shard.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Union

from architect.sim.engine.journey import Journey
from architect.sim.engine.keys import zipf_cdf
from architect.sim.engine.sharding import rule_for
from architect.sim.engine.stations import Station
from architect.sim.flows.hitratio import hit_ratio, rounded
from architect.sim.flows.sojourn import Sojourn
from architect.sim.snapshot import NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

STATIC, READ, WRITE, JOB_WRITE, FAN, PART, JOB = (
    "static",
    "read",
    "write",
    "job_write",
    "fan",
    "part",
    "job",
)
_ORDER = {
    NodeKind.CDN: 0,
    NodeKind.LOAD_BALANCER: 1,
    NodeKind.WEB_SERVER: 2,
    NodeKind.SESSION_STORE: 3,
    NodeKind.CACHE: 4,
    NodeKind.DATABASE: 5,
    NodeKind.MESSAGE_QUEUE: 6,
    NodeKind.WORKER_POOL: 7,
}
_EXACT_SHARD_KEYS = 4000  # the most popular keys placed one by one; the rest sampled
_SHARD_SAMPLES = 4000


class Sink:
    """Where flows end: ``amount`` accumulates until the model reads it."""

    __slots__ = ("inflow", "job", "ok", "weight")

    def __init__(self, *, weight: float = 1.0, ok: bool, job: bool = False) -> None:
        self.inflow = 0.0
        self.weight = weight  # a part of a cross-shard read counts 1/parts
        self.ok = ok
        self.job = job


class Fan:
    """A cross-shard read: one part to every shard; done when the slowest is."""

    __slots__ = ("shards",)

    def __init__(self, shards: list[list[tuple[float, Flow]]]) -> None:
        self.shards = shards


Target = Union["Flow", Sink, Fan]


class Flow:
    """One class of request at one station: its backlog and where its departures go."""

    __slots__ = ("backlog", "choices", "edges", "fail", "group", "inflow", "key", "spawn")

    def __init__(self, key: tuple[str, str], group: StationFlows, fail: Sink) -> None:
        self.key = key
        self.group = group
        self.edges: list[tuple[float, Flow | Sink]] = []  # every share the fluid step routes
        self.choices: list[tuple[float, Target]] = []  # cumulative, for sampling one request's path
        self.spawn: Flow | Sink | None = None  # a job published by each departure
        self.fail = fail
        self.backlog = 0.0
        self.inflow = 0.0


class StationFlows:
    """A station's flows and its measures over the current tick."""

    __slots__ = (
        "arrived",
        "backlog",
        "departed",
        "dropped",
        "durable",
        "flows",
        "in_service",
        "loss",
        "per_worker_step",
        "phases",
        "queued",
        "service_s",
        "sojourn",
        "station",
    )

    def __init__(self, station: Station, step_s: float) -> None:
        self.station = station
        self.flows: list[Flow] = []
        self.service_s = station.service_ms / 1000.0
        self.per_worker_step = step_s / self.service_s
        self.durable = station.kind == NodeKind.WORKER_POOL  # keeps its queue while down
        self.phases = 1  # > 1: fed in turn by a load balancer over that many backends
        self.arrived = self.departed = self.dropped = self.backlog = 0.0
        self.sojourn: Sojourn | None = None
        self.loss = 0.0  # 1 while the station is down (requests through it fail)
        self.in_service = 0.0
        self.queued = 0.0


class Graph:
    """Everything one fluid step and one sampled path need."""

    def __init__(self) -> None:
        self.served = Sink(ok=True)
        self.failed = Sink(ok=False)
        self.job_done = Sink(ok=True, job=True)
        self.job_failed = Sink(ok=False, job=True)
        self.part_served = Sink(ok=True)
        self.part_failed = Sink(ok=False)
        self.entries: list[tuple[float, Flow | Sink]] = []
        self.entry_choices: list[tuple[float, Target]] = []
        self.stations: list[StationFlows] = []
        self.flows: dict[tuple[str, str], Flow] = {}
        self.hit_ratios: dict[str, float] = {}
        self.job_entry: Flow | None = None

    @property
    def sinks(self) -> tuple[Sink, ...]:
        return (
            self.served,
            self.failed,
            self.job_done,
            self.job_failed,
            self.part_served,
            self.part_failed,
        )


def class_shares(sim: Engine) -> dict[str, float]:
    """Shares of arriving requests by class (as the engine draws them)."""
    shares = sim.shares()
    return {
        STATIC: shares.static,
        READ: shares.read,
        FAN: shares.fan_out,
        JOB_WRITE: shares.job_write,
        WRITE: shares.write,
    }


@lru_cache(maxsize=32)
def shard_shares(
    strategy: str, shards: int, vnodes: int, keys: int, zipf_s: float
) -> tuple[float, ...]:
    """The share of requests each shard gets: the Zipf weight of the keys it holds."""
    rule = rule_for(strategy, shards, vnodes)
    if rule is None or shards == 1:
        return (1.0,)
    weights = [0.0] * shards
    cdf = zipf_cdf(keys, zipf_s)[0] if zipf_s > 0 else None

    def mass(low: int, high: int) -> float:  # P(low <= key < high)
        if cdf is None:
            return (high - low) / keys
        return cdf[high - 1] - (cdf[low - 1] if low > 0 else 0.0)

    exact = min(keys, _EXACT_SHARD_KEYS)
    for key in range(exact):
        weights[rule.shard_of(key)] += mass(key, key + 1)
    if keys > exact:
        stride = (keys - exact) / _SHARD_SAMPLES
        for i in range(_SHARD_SAMPLES):
            low, high = exact + int(i * stride), exact + int((i + 1) * stride)
            if high > low:
                weights[rule.shard_of(low)] += mass(low, high)
    total = sum(weights)
    return tuple(w / total for w in weights)


class _Builder:
    def __init__(self, sim: Engine, step_s: float) -> None:
        self.sim = sim
        self.step_s = step_s
        self.graph = Graph()
        self.journey: Journey = sim.journey
        self.groups: dict[str, StationFlows] = {}
        targets: dict[str, list[str]] = {}
        for source, target in sim.links:
            targets.setdefault(source, []).append(target)
        self.targets = targets
        self.shares = class_shares(sim)
        traffic = sim.traffic
        self.reads_rps = sim.rps * (self.shares[READ] + self.shares[FAN])
        self.writes_rps = sim.rps * (self.shares[WRITE] + self.shares[JOB_WRITE])
        data = self.journey.data
        sharding = sim.sharding
        self.shard_shares = (
            shard_shares(
                sharding.strategy, len(data.tiers), sharding.vnodes, traffic.keys, traffic.zipf_s
            )
            if data is not None and len(data.tiers) > 1
            else (1.0,)
        )

    # -- flows ------------------------------------------------------------------

    def flow(self, station: Station, cls: str) -> Flow:
        key = (station.id, cls)
        found = self.graph.flows.get(key)
        if found is not None:
            return found
        group = self.groups.get(station.id)
        if group is None:
            group = self.groups[station.id] = StationFlows(station, self.step_s)
        graph = self.graph
        fail = (
            graph.job_failed if cls == JOB else graph.part_failed if cls == PART else graph.failed
        )
        flow = graph.flows[key] = Flow(key, group, fail)
        group.flows.append(flow)
        choices = self._choices(station, cls, flow)
        _set(flow, choices)
        return flow

    def _choices(self, station: Station, cls: str, flow: Flow) -> list[tuple[float, Target]]:
        kind, graph = station.kind, self.graph
        if kind == NodeKind.CDN:
            hit = self._hit(station, self.sim.rps * self.shares[STATIC], 0.0)
            return [(hit, graph.served), (1.0 - hit, self.flow(self.journey.entry, cls))]
        if kind == NodeKind.LOAD_BALANCER:
            balancer = self.sim.balancers[station.id]
            rotation = balancer.in_rotation
            if not rotation:
                return [(1.0, graph.failed)]
            flows = [self.flow(b, cls) for b in rotation]
            if (
                balancer.algorithm != "sticky"
            ):  # in turn (or to the least busy): smoother than random
                for f in flows:
                    f.group.phases = len(rotation)
            return [(1.0 / len(rotation), f) for f in flows]
        if kind == NodeKind.WEB_SERVER:
            holds_data = not any(
                self.sim.stations[t].kind == NodeKind.DATABASE
                for t in self.targets.get(station.id, ())
            )
            return [(1.0, graph.served)] if holds_data else self._after_web(cls, False, flow)
        if kind == NodeKind.SESSION_STORE:
            return self._after_web(cls, True, flow)
        if kind == NodeKind.CACHE:
            hit = self._hit(station, self.reads_rps, self.writes_rps)
            return [(hit, graph.served), (1.0 - hit, Fan([self._readers(READ)]))]
        if kind == NodeKind.DATABASE:
            return [(1.0, graph.part_served if cls == PART else graph.served)]
        if kind == NodeKind.MESSAGE_QUEUE:
            pools = [self.sim.stations[t] for t in self.targets.get(station.id, ())]
            return [(1.0, self.flow(pools[0], JOB) if pools else graph.job_failed)]
        return [(1.0, graph.job_done)]  # a worker pool

    def _after_web(self, cls: str, checked: bool, flow: Flow) -> list[tuple[float, Target]]:
        journey, graph = self.journey, self.graph
        store = journey.session_store
        if store is not None and cls != STATIC and not checked:
            return [(1.0, self.flow(store, cls))]
        if cls == JOB_WRITE and journey.publish is not None and self.sim.queue is not None:
            flow.spawn = self.flow(self.sim.queue, JOB)
            self.graph.job_entry = flow.spawn
        data = journey.data
        if cls == STATIC or data is None:
            return [(1.0, graph.served)]
        if cls == FAN and len(data.tiers) > 1:
            return [(1.0, Fan([self._readers(PART, shard) for shard in range(len(data.tiers))]))]
        if cls in (WRITE, JOB_WRITE):
            return [
                (share, self.flow(tier.primary, WRITE))
                for share, tier in zip(self.shard_shares, data.tiers, strict=False)
            ]
        cache = journey.cache
        if cache is not None and not cache.failed and cls == READ:
            return [(1.0, self.flow(cache, READ))]
        return [(1.0, Fan([self._readers(READ)]))]

    def _readers(self, cls: str, shard: int | None = None) -> list[tuple[float, Flow]]:
        """Where reads go: each shard's replicas that are up in turn, else its primary."""
        data = self.journey.data
        assert data is not None
        tiers = list(enumerate(data.tiers)) if shard is None else [(shard, data.tiers[shard])]
        out: list[tuple[float, Flow]] = []
        for index, tier in tiers:
            share = self.shard_shares[index] if shard is None else 1.0
            replicas = [r for r in tier.replicas if not r.failed]
            readers = replicas or [tier.primary]
            out.extend((share / len(readers), self.flow(r, cls)) for r in readers)
        return out

    def _hit(self, station: Station, read_rps: float, write_rps: float) -> float:
        spec, traffic = self.sim.specs[station.id], self.sim.traffic
        capacity = spec.capacity_keys if station.kind == NodeKind.CACHE else 10_000_000
        ratio = hit_ratio(
            traffic.keys,
            traffic.zipf_s,
            capacity,
            spec.ttl_s,
            rounded(read_rps),
            rounded(write_rps),
        )
        self.graph.hit_ratios[station.id] = ratio
        return ratio

    # -- the whole graph ----------------------------------------------------------

    def build(self) -> Graph:
        graph, sim = self.graph, self.sim
        entries: list[tuple[float, Target]] = []
        if sim.dns_failed:
            entries = [(1.0, graph.failed)]
        else:
            cdn = self.journey.cdn
            for cls, share in self.shares.items():
                if share <= 0.0:
                    continue
                first = (
                    cdn
                    if cls == STATIC and cdn is not None and not cdn.failed
                    else self.journey.entry
                )
                entries.append((share, self.flow(first, cls)))
        entry = Flow(("", "entry"), StationFlows(self.journey.entry, self.step_s), graph.failed)
        _set(entry, entries)
        graph.entries = entry.edges
        graph.entry_choices = entry.choices
        graph.stations = sorted(self.groups.values(), key=lambda g: _ORDER.get(g.station.kind, 9))
        return graph


def _set(flow: Flow, choices: list[tuple[float, Target]]) -> None:
    """Record a flow's choices: cumulative for sampling, flattened (fan-outs to parts) for
    the fluid."""
    total = 0.0
    for share, target in choices:
        if share <= 0.0:
            continue
        total += share
        flow.choices.append((total, target))
        if isinstance(target, Fan):
            for shard in target.shards:
                flow.edges.extend((share * s, t) for s, t in shard)
        else:
            flow.edges.append((share, target))


def build(sim: Engine, step_s: float) -> Graph:
    """The flows of the simulation's current wiring (first data center only)."""
    return _Builder(sim, step_s).build()
