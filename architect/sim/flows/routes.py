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
from typing import TYPE_CHECKING

from architect.sim.blocks import BLOCKS
from architect.sim.blocks.base import FAN, JOB, JOB_WRITE, PART, READ, STATIC, WRITE, Routes
from architect.sim.engine.assets import scope_share
from architect.sim.engine.journey import Journey
from architect.sim.engine.keys import zipf_cdf
from architect.sim.engine.sharding import rule_for
from architect.sim.engine.stations import Station
from architect.sim.flows.graph import Fan, Flow, Graph, StationFlows, Target
from architect.sim.model.hitratio import hit_ratio, rounded
from architect.sim.snapshot import NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

_EXACT_SHARD_KEYS = 4000  # the most popular keys placed one by one; the rest sampled
_SHARD_SAMPLES = 4000


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
    strategy: str, shards: int, vnodes: int, keys: int, zipf_s: float, hot_keys: int = 0
) -> tuple[float, ...]:
    """The share of requests each shard gets: the Zipf weight of the keys it holds."""
    rule = rule_for(strategy, shards, vnodes, hot_keys)
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
    """Builds the graph, one flow at a time; the blocks' flow rules see it as ``Routes``."""

    def __init__(self, sim: Engine, step_s: float) -> None:
        self.sim = sim
        self.step_s = step_s
        self.graph = Graph()
        self.journey: Journey = sim.journey
        self.groups: dict[str, StationFlows] = {}
        targets: dict[str, list[str]] = {}
        for source, target in sim.links:
            targets.setdefault(source, []).append(target)
        self._targets = targets
        self.shares = class_shares(sim)
        traffic = sim.traffic
        self.static_rps = sim.rps * self.shares[STATIC]
        self.reads_rps = sim.rps * (self.shares[READ] + self.shares[FAN])
        self.writes_rps = sim.rps * (self.shares[WRITE] + self.shares[JOB_WRITE])
        data = self.journey.data
        sharding = sim.sharding
        self.shard_shares = (
            shard_shares(
                sharding.strategy,
                len(data.tiers),
                sharding.vnodes,
                traffic.keys,
                traffic.zipf_s,
                sharding.hot_keys,
            )
            if data is not None and len(data.tiers) > 1
            else (1.0,)
        )

    # -- what the blocks' rules see (``Routes``) -----------------------------------

    @property
    def served(self) -> Target:
        return self.graph.served

    @property
    def failed(self) -> Target:
        return self.graph.failed

    @property
    def part_served(self) -> Target:
        return self.graph.part_served

    @property
    def job_done(self) -> Target:
        return self.graph.job_done

    @property
    def job_failed(self) -> Target:
        return self.graph.job_failed

    @property
    def entry(self) -> str:
        return self.journey.entry.id

    def flow(self, node_id: str, cls: str) -> Target:
        return self._flow(self.sim.stations[node_id], cls)

    def target_kinds(self, node_id: str) -> list[NodeKind]:
        return [self.sim.stations[t].kind for t in self._targets.get(node_id, ())]

    def targets(self, node_id: str) -> list[str]:
        return list(self._targets.get(node_id, ()))

    def rotation(self, node_id: str) -> list[str]:
        return [backend.id for backend in self.sim.balancers[node_id].in_rotation]

    def algorithm(self, node_id: str) -> str:
        return self.sim.balancers[node_id].algorithm

    def in_turn(self, flows: list[Target], backends: int) -> None:
        for flow in flows:
            assert isinstance(flow, Flow)
            flow.group.phases = backends

    def hit(self, node_id: str, read_rps: float, write_rps: float) -> float:
        return self._hit(self.sim.stations[node_id], read_rps, write_rps)

    def after_web(self, cls: str, checked: bool, flow: Target) -> list[tuple[float, Target]]:
        assert isinstance(flow, Flow)
        return self._after_web(cls, checked, flow)

    def readers(self, cls: str) -> Target:
        return Fan([self._readers(cls)])

    # -- flows ------------------------------------------------------------------

    def _flow(self, station: Station, cls: str) -> Flow:
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
        rule = BLOCKS[station.kind].flow
        assert rule is not None, f"no flow rule for a {station.kind}"
        routes: Routes[Target] = self
        _set(flow, rule(routes, station.id, cls, flow))
        return flow

    def _after_web(self, cls: str, checked: bool, flow: Flow) -> list[tuple[float, Target]]:
        journey, graph = self.journey, self.graph
        store = journey.session_store
        if store is not None and cls != STATIC and not checked:
            return [(1.0, self._flow(store, cls))]
        if cls == JOB_WRITE and journey.publish is not None and self.sim.queue is not None:
            flow.spawn = self._flow(self.sim.queue, JOB)
            self.graph.job_entry = flow.spawn
        data = journey.data
        if cls == STATIC or data is None:
            return [(1.0, graph.served)]
        if cls == FAN and len(data.tiers) > 1:
            return [(1.0, Fan([self._readers(PART, shard) for shard in range(len(data.tiers))]))]
        if cls in (WRITE, JOB_WRITE):
            return [
                (share, self._flow(tier.primary, WRITE))
                for share, tier in zip(self.shard_shares, data.tiers, strict=False)
            ]
        cache = journey.cache
        if cache is not None and not cache.failed and cls == READ:
            return [(1.0, self._flow(cache, READ))]
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
            out.extend((share / len(readers), self._flow(r, cls)) for r in readers)
        return out

    def _cdn_share(self) -> float:
        """The share of asset requests the CDN serves (the rest go to the origin)."""
        traffic = self.sim.traffic
        return scope_share(traffic.keys, traffic.zipf_s, self.journey.cdn_keys)

    def _hit(self, station: Station, read_rps: float, write_rps: float) -> float:
        spec, traffic = self.sim.specs[station.id], self.sim.traffic
        capacity = BLOCKS[station.kind].fixed_capacity or spec.capacity_keys
        keys = traffic.keys
        if station.kind == NodeKind.CDN:  # only the assets it serves, at their rate
            keys, read_rps = self.journey.cdn_keys, read_rps * self._cdn_share()
        ratio = hit_ratio(
            keys,
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
                if cls == STATIC and cdn is not None and not cdn.failed:
                    through = self._cdn_share()
                    entries.append((share * through, self._flow(cdn, cls)))
                    entries.append((share * (1.0 - through), self._flow(self.journey.entry, cls)))
                else:
                    entries.append((share, self._flow(self.journey.entry, cls)))
        entry = Flow(("", "entry"), StationFlows(self.journey.entry, self.step_s), graph.failed)
        _set(entry, entries)
        graph.entries = entry.edges
        graph.entry_choices = entry.choices
        graph.stations = sorted(
            self.groups.values(), key=lambda g: BLOCKS[g.station.kind].path_order
        )
        return graph


def _upstream_first(group: StationFlows) -> int:
    return BLOCKS[group.station.kind].path_order


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
