"""Commands on the data tier: a database of its own, a cache and its policies, replicas,
shards.

Each handler checks, then returns the change (see ``architect.sim.changes.common``).
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from architect.sim.changes.common import Change, add_behind_web_servers, needs_database
from architect.sim.commands import CommandError
from architect.sim.engine import migration
from architect.sim.engine.keys import ZipfKeys
from architect.sim.engine.sharding import rule_for
from architect.sim.model import presets
from architect.sim.model.limits import (
    CACHE_TTL_S,
    EVICTIONS,
    MAX_HOT_KEYS,
    MAX_REPLICAS,
    MAX_SHARDS,
    SHARDING_STRATEGIES,
)
from architect.sim.model.topology import NodeSpec, Sharding
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def separate_database(sim: Engine) -> Change:
    if sim.first_of(NodeKind.DATABASE):
        raise CommandError("database_exists", "the data already has a server of its own")

    def change() -> None:
        spec = presets.database()
        sim.add_node(spec)
        for web_id in sim.web_server_ids():
            web = sim.specs[web_id]
            sim.set_service(web_id, max(web.service_ms - presets.DATA_SERVICE_MS, 1.0))
            sim.connect([(web_id, spec.id)])
        sim.rewire()
        sim.record(EventKind.DATABASE_SEPARATED, node=spec.id)

    return change


def add_cache(sim: Engine) -> Change:
    needs_database(sim, "cache")
    if sim.first_of(NodeKind.CACHE):
        raise CommandError("cache_exists", "there is already a cache")

    def change() -> None:
        add_behind_web_servers(sim, presets.cache(), EventKind.NODE_ADDED)

    return change


def set_cache(sim: Engine, ttl_s: float | None, eviction: str | None) -> Change:
    """The cache's TTL and eviction policy (``None``: as it is)."""
    cache_id = sim.first_of(NodeKind.CACHE)
    if not cache_id:
        raise CommandError("no_cache", "there is no cache yet")
    low, high = CACHE_TTL_S
    if ttl_s is not None and not low <= ttl_s <= high:
        raise CommandError("bad_cache_ttl", f"a TTL is {low:g} to {high:g} s", low=low, high=high)
    if eviction is not None and eviction not in EVICTIONS:
        raise CommandError("unknown_eviction", "eviction is lru, lfu or fifo", eviction=eviction)
    spec = sim.specs[cache_id]
    after = replace(
        spec,
        ttl_s=spec.ttl_s if ttl_s is None else ttl_s,
        eviction=eviction or spec.eviction,
    )

    def change() -> None:
        sim.set_cache(after)
        sim.record(
            EventKind.CACHE_SET,
            node=cache_id,
            value=after.ttl_s,
            text=after.eviction,
        )

    return change


def add_replica(sim: Engine) -> Change:
    needs_database(sim, "replica")
    data = sim.focused_data()
    assert data is not None
    tier = data.tiers[0]
    if len(tier.replicas) >= MAX_REPLICAS:
        raise CommandError(
            "too_many_replicas", f"at most {MAX_REPLICAS} replicas", limit=MAX_REPLICAS
        )

    def change() -> None:
        number = 1
        while f"{sim.id_prefix()}db-r{number}" in sim.specs:
            number += 1
        size = sim.specs[tier.primary.id].size or "m"
        add_behind_web_servers(
            sim, presets.replica(f"db-r{number}", size=size), EventKind.NODE_ADDED
        )

    return change


def add_shard(sim: Engine, strategy: str) -> Change:
    """One more shard, in every data center that holds the data (each holds all of it).

    Each split chooses its rule (modulo or consistent hashing), whatever the last one
    was; the keys it moves are copied over ``Sharding.copy_s`` (``engine.migration``).
    """
    needs_database(sim, "shard")
    before = sim.sharding
    if strategy not in SHARDING_STRATEGIES[1:]:
        raise CommandError(
            "unknown_strategy", "sharding is by modulo or consistent_hash", strategy=strategy
        )
    if before.shards >= MAX_SHARDS:
        raise CommandError("too_many_shards", f"at most {MAX_SHARDS} shards", limit=MAX_SHARDS)
    if before.hot_keys:
        raise CommandError(
            "hot_keys_last", "hot keys have shards of their own: add shards before isolating them"
        )

    def change() -> None:
        after = replace(
            before,
            strategy=strategy,
            shards=max(before.shards, 1) + 1,
            **_split_from(before),
        )
        old_rule = rule_for(before.strategy, before.shards, before.vnodes)
        new_rule = rule_for(after.strategy, after.shards, after.vnodes)
        assert not before.hot_keys  # refused above
        assert new_rule is not None
        moved = migration.moves(old_rule, new_rule, sim.traffic.keys)
        spec = _new_shard(sim, after)
        share = len(moved) / sim.traffic.keys
        sim.record(
            EventKind.SHARD_ADDED, node=spec.id, count=after.shards, value=share, text=strategy
        )
        if after.copy_s > 0:
            migration.start_copy(sim, moved, after.copy_s)

    return change


def _split_from(before: Sharding) -> dict[str, Any]:
    """The rule before a split ("none": one database), which the new sharding records
    (``Sharding.split_from_*``) so a run started from it copies the moved keys again."""
    return {
        "split_from_strategy": before.strategy,
        "split_from_shards": max(before.shards, 1),
        "split_from_hot_keys": before.hot_keys,
    }


def _new_shard(sim: Engine, after: Sharding) -> NodeSpec:
    """The primary of shard ``after.shards - 1``, like the first shard's, in every center
    that holds the data; the data now sharded by ``after``. Returns the focused center's."""
    data = sim.focused_data()
    primary = data.tiers[0].primary if data else None
    size = sim.specs[primary.id].size if primary else "m"
    template = replace(
        presets.database(f"db-s{after.shards - 1}", size=size or "m"), shard=after.shards - 1
    )
    sim.set_sharding(after)
    spec = sim.placed(template)
    for center in [c for c in sim.centers if c in sim.data_by_center]:
        with sim.focused_on(center):
            copy = sim.placed(template)
            sim.add_node(copy)
            sim.connect((web_id, copy.id) for web_id in sim.web_server_ids())
    sim.rewire()
    return spec


def isolate_hot_key(sim: Engine) -> Change:
    """The hottest key still sharing a shard gets a shard of its own (the book: "allocate
    a shard for each celebrity"); no other key moves. The key's rows are copied to it."""
    needs_database(sim, "shard")
    before = sim.sharding
    if before.shards < 2:
        raise CommandError("hot_key_needs_shards", "split the data into shards first")
    if before.shards >= MAX_SHARDS:
        raise CommandError("too_many_shards", f"at most {MAX_SHARDS} shards", limit=MAX_SHARDS)
    if before.hot_keys >= MAX_HOT_KEYS:
        raise CommandError(
            "too_many_hot_keys", f"at most {MAX_HOT_KEYS} hot keys", limit=MAX_HOT_KEYS
        )

    def change() -> None:
        key = before.hot_keys  # keys are numbered by popularity: 0 is the hottest
        old_rule = rule_for(before.strategy, before.shards, before.vnodes, before.hot_keys)
        after = replace(
            before, shards=before.shards + 1, hot_keys=before.hot_keys + 1, **_split_from(before)
        )
        assert old_rule is not None
        spec = _new_shard(sim, after)
        traffic = sim.traffic
        share = ZipfKeys(traffic.keys, traffic.zipf_s, random.Random(0)).probability(key)
        sim.record(EventKind.HOT_KEY_ISOLATED, node=spec.id, count=key + 1, value=share)
        if after.copy_s > 0:
            migration.start_copy(
                sim, [(key, old_rule.shard_of(key), after.shards - 1)], after.copy_s
            )

    return change


def denormalise(sim: Engine) -> Change:
    """Keep each query's joined data in its own shard: cross-shard reads become one-shard reads.

    What it costs (the copies take space and each write must update them) is not simulated.
    """
    if sim.sharding.shards < 2:
        raise CommandError("not_sharded", "the data is in one shard: no read crosses shards")
    share = sim.traffic.cross_shard_ratio
    if share == 0 or sim.sharding.denormalised:
        raise CommandError("no_cross_shard_reads", "no read asks every shard")

    def change() -> None:
        sim.set_sharding(replace(sim.sharding, denormalised=True))
        sim.record(EventKind.DENORMALISED, value=share)

    return change
