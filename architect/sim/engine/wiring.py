"""Wiring: where each station sends what it has finished, rebuilt whenever the
architecture changes (``Engine.rewire``).

Each data center gets a ``Journey`` (the request path: CDN, cache, session store,
data tiers, queue) and each station a ``forward`` from its block's ``wire`` rule,
which sees the center through ``CenterWiring``. ``data_tiers`` points each
center's and shard's ``DataTier`` at the databases' current roles.
"""

from __future__ import annotations

from collections.abc import Callable

from architect.sim.blocks import BLOCKS
from architect.sim.blocks.base import Sink
from architect.sim.engine.balancer import Balancer
from architect.sim.engine.journey import Journey
from architect.sim.engine.replication import DataTier, DataTiers
from architect.sim.engine.stations import Station
from architect.sim.model.topology import NodeSpec
from architect.sim.snapshot import NodeKind


class CenterWiring:
    """One data center's journey, as the blocks' wiring rules see it (``blocks.base.Wiring``)."""

    def __init__(
        self,
        journey: Journey,
        stations: dict[str, Station],
        targets: dict[str, list[str]],
        balancers: dict[str, Balancer],
        *,
        job_done: Sink,
        job_failed: Sink,
    ) -> None:
        self.journey = journey
        self.stations = stations
        self.targets = targets
        self.balancers = balancers
        self._job_done = job_done
        self._job_failed = job_failed

    def wire(self, station: Station) -> None:
        """Point ``station`` at what follows it, by its block's rule."""
        rule = BLOCKS[station.kind].wire
        if rule is not None:
            station.forward = rule(self, station.id)

    def target_kinds(self, node_id: str) -> list[NodeKind]:
        return [self.stations[t].kind for t in self.targets.get(node_id, ())]

    def first_target(self, node_id: str, otherwise: Sink) -> Sink:
        found = self.targets.get(node_id)
        return self.stations[found[0]].arrive if found else otherwise

    def balance(self, node_id: str) -> Sink:
        balancer = self.balancers[node_id]
        balancer.set_backends([self.stations[t] for t in self.targets.get(node_id, ())])
        return balancer.route

    def web_sink(self, node_id: str, holds_data: bool) -> Sink:
        return self.journey.web_sink(self.stations[node_id], holds_data)

    def after_cdn(self) -> Sink:
        return self.journey.after_cdn

    def after_cache(self) -> Sink:
        return self.journey.after_cache

    def after_session(self) -> Sink:
        return self.journey.after_web

    def after_database(self) -> Sink:
        return self.journey.database_next()

    def job_done(self) -> Sink:
        return self._job_done

    def job_failed(self) -> Sink:
        return self._job_failed


def data_tiers(
    specs: dict[str, NodeSpec],
    stations: dict[str, Station],
    centers: list[str],
    shards: int,
    shard_of: Callable[[int], int],
    old: dict[str, DataTiers],
) -> dict[str, DataTiers]:
    """Each center's tiers (one per shard) at the databases' current roles; a center's
    existing tiers are kept (with their replication state), only re-pointed."""
    tiers_by_center: dict[str, DataTiers] = {}
    for center in centers:
        databases = [i for i, s in specs.items() if BLOCKS[s.kind].holds_data and s.dc == center]
        if not databases:
            continue
        previous = old[center].tiers if center in old else []
        tiers: list[DataTier] = []
        for shard in range(shards):
            held = [stations[i] for i in databases if specs[i].shard == shard]
            primary = next(d for d in held if specs[d.id].role == "primary")
            replicas = [d for d in held if d is not primary]
            lag_s = max((specs[r.id].replication_lag_ms for r in replicas), default=0.0) / 1000.0
            if shard < len(previous):
                tier = previous[shard]
                tier.primary, tier.replicas, tier.lag_s = primary, replicas, lag_s
            else:
                tier = DataTier(primary, replicas, lag_s=lag_s)
            tiers.append(tier)
        tiers_by_center[center] = DataTiers(tiers, shard_of)
    return tiers_by_center
