"""Commands on the data tier: a database of its own, a cache, replicas, shards.

Every handler checks first and changes second (see ``architect.sim.changes.dispatch``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.changes.common import focused_data, needs_database
from architect.sim.commands import CommandError
from architect.sim.engine.sharding import moved_share, rule_for
from architect.sim.model import presets
from architect.sim.model.limits import MAX_REPLICAS, MAX_SHARDS, SHARDING_STRATEGIES
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def separate_database(sim: Engine) -> None:
    if sim.first_of(NodeKind.DATABASE):
        raise CommandError("database_exists", "the data already has a server of its own")
    spec = presets.database()
    sim.add_node(spec)
    for web_id in sim.web_server_ids():
        web = sim.specs[web_id]
        service_ms = max(web.service_ms - presets.DATA_SERVICE_MS, 1.0)
        sim.specs[web_id] = replace(web, service_ms=service_ms)
        sim.stations[web_id].set_service(service_ms, web.service_dist)
        sim.links.append((web_id, spec.id))
    sim.rewire()
    sim.record(EventKind.DATABASE_SEPARATED, node=spec.id)


def add_cache(sim: Engine) -> None:
    needs_database(sim, "cache")
    if sim.first_of(NodeKind.CACHE):
        raise CommandError("cache_exists", "there is already a cache")
    spec = sim.placed(presets.cache())
    sim.add_node(spec)
    sim.links += [(web_id, spec.id) for web_id in sim.web_server_ids()]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def add_replica(sim: Engine) -> None:
    needs_database(sim, "replica")
    data = focused_data(sim)
    assert data is not None
    tier = data.tiers[0]
    if len(tier.replicas) >= MAX_REPLICAS:
        raise CommandError(
            "too_many_replicas", f"at most {MAX_REPLICAS} replicas", limit=MAX_REPLICAS
        )
    number = 1
    while f"{sim.id_prefix()}db-r{number}" in sim.specs:
        number += 1
    spec = sim.placed(presets.replica(f"db-r{number}", size=sim.specs[tier.primary.id].size or "m"))
    sim.add_node(spec)
    sim.links += [(web_id, spec.id) for web_id in sim.web_server_ids()]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def add_shard(sim: Engine, strategy: str) -> None:
    needs_database(sim, "shard")
    before = sim.sharding
    if strategy not in SHARDING_STRATEGIES[1:]:
        raise CommandError(
            "unknown_strategy", "sharding is by modulo or consistent_hash", strategy=strategy
        )
    if before.strategy not in ("none", strategy):
        raise CommandError(
            "strategy_fixed",
            f"the data is already sharded by {before.strategy}",
            strategy=before.strategy,
        )
    if before.shards >= MAX_SHARDS:
        raise CommandError("too_many_shards", f"at most {MAX_SHARDS} shards", limit=MAX_SHARDS)
    after = replace(before, strategy=strategy, shards=max(before.shards, 1) + 1)
    old_rule = rule_for(before.strategy, before.shards, before.vnodes)
    new_rule = rule_for(after.strategy, after.shards, after.vnodes)
    assert new_rule is not None
    moved = (
        moved_share(old_rule, new_rule, sim.traffic.keys)
        if old_rule
        else (after.shards - 1) / after.shards
    )
    data = focused_data(sim)
    primary = data.tiers[0].primary if data else None
    size = sim.specs[primary.id].size if primary else "m"
    template = replace(
        presets.database(f"db-s{after.shards - 1}", size=size or "m"), shard=after.shards - 1
    )
    sim.sharding = after
    focus, spec = sim.focus, sim.placed(template)
    for center in [
        c for c in sim.centers if c in sim.data_by_center
    ]:  # every center holds all the data
        sim.focus = center
        copy = sim.placed(template)
        sim.add_node(copy)
        sim.links += [(web_id, copy.id) for web_id in sim.web_server_ids()]
    sim.focus = focus
    sim.rewire()
    sim.record(EventKind.SHARD_ADDED, node=spec.id, count=after.shards, value=moved, text=strategy)
