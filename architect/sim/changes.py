"""What each command does to a running simulation.

Every handler checks first and changes second, so a ``CommandError`` always
leaves the simulation as it was.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim import centers, presets
from architect.sim.commands import (
    MAX_RPS,
    MIN_RPS,
    AddCache,
    AddCdn,
    AddLoadBalancer,
    AddMessageQueue,
    AddReplica,
    AddSessionStore,
    AddShard,
    AddWebServer,
    Command,
    CommandError,
    FailDataCenter,
    FailNode,
    PurgeCdn,
    RemoveWebServer,
    ResizeNode,
    RestoreDataCenter,
    RestoreNode,
    SeparateDatabase,
    SetAutoscaling,
    SetBalancing,
    SetOperations,
    SetTraffic,
    SetTrafficMix,
    SetWorkers,
    VersionAssets,
)
from architect.sim.sizes import SIZES
from architect.sim.snapshot import EventKind, NodeKind
from architect.sim.sharding import moved_share, rule_for
from architect.sim.topology import BALANCING_ALGORITHMS, autoscaling_problems, MAX_REPLICAS, MAX_SHARDS, SHARDING_STRATEGIES, MAX_WEB_SERVERS
from architect.sim.topology import GLOBAL_KINDS, NodeSpec

if TYPE_CHECKING:
    from architect.sim.engine import Simulation
    from architect.sim.replication import DataTiers

RESIZABLE = (NodeKind.WEB_SERVER, NodeKind.DATABASE)


def apply(sim: Simulation, command: Command) -> None:
    """Carry out ``command``; with several data centers see ``architect.sim.centers``."""
    centers.apply(sim, command, _apply_here)


def _apply_here(sim: Simulation, command: Command) -> None:
    match command:
        case SetTraffic(rps=rps):
            _set_traffic(sim, rps)
        case SetTrafficMix(read_ratio=read_ratio, static_ratio=static_ratio, zipf_s=zipf_s):
            _set_mix(sim, read_ratio, static_ratio, zipf_s)
        case AddWebServer():
            _add_web_server(sim)
        case RemoveWebServer(node_id=node_id):
            _remove_web_server(sim, node_id)
        case AddLoadBalancer():
            _add_load_balancer(sim)
        case SeparateDatabase():
            _separate_database(sim)
        case AddCache():
            _add_cache(sim)
        case AddReplica():
            _add_replica(sim)
        case AddCdn():
            _add_cdn(sim)
        case PurgeCdn():
            _purge_cdn(sim)
        case VersionAssets():
            _version_assets(sim)
        case AddMessageQueue():
            _add_message_queue(sim)
        case SetWorkers(node_id=node_id, workers=workers):
            _set_workers(sim, node_id, workers)
        case AddSessionStore():
            _add_session_store(sim)
        case SetAutoscaling(enabled=enabled, min=low, max=high, target_utilization=target):
            _set_autoscaling(sim, enabled, low, high, target)
        case SetBalancing(algorithm=algorithm):
            _set_balancing(sim, algorithm)
        case AddShard(strategy=strategy):
            _add_shard(sim, strategy)
        case SetOperations(monitoring=monitoring, automation=automation):
            _set_operations(sim, monitoring, automation)
        case ResizeNode(node_id=node_id, size=size):
            _resize(sim, node_id, size)
        case FailDataCenter(center=center):
            _fail_center(sim, center)
        case RestoreDataCenter(center=center):
            _restore_center(sim, center)
        case FailNode(node_id=node_id):
            _fail(sim, node_id)
        case RestoreNode(node_id=node_id):
            _restore(sim, node_id)
        case _:
            raise CommandError("unknown_command", f"unknown command {command!r}")


def _set_traffic(sim: Simulation, rps: float) -> None:
    if not (math.isfinite(rps) and MIN_RPS <= rps <= MAX_RPS):
        raise CommandError(
            "rps_out_of_range",
            f"traffic must be between {MIN_RPS:g} and {MAX_RPS:g} requests per second",
            low=MIN_RPS,
            high=MAX_RPS,
        )
    sim.set_rps(float(rps))
    sim.record(EventKind.TRAFFIC_CHANGED, value=float(rps))


def _set_mix(sim: Simulation, read_ratio: float, static_ratio: float, zipf_s: float) -> None:
    for name, value, high in (("read_ratio", read_ratio, 1.0), ("static_ratio", static_ratio, 1.0), ("zipf_s", zipf_s, 3.0)):
        if not (math.isfinite(value) and 0 <= value <= high):
            raise CommandError("mix_out_of_range", f"{name} must be between 0 and {high:g}", field=name, high=high)
    sim.set_mix(replace(sim.traffic, read_ratio=read_ratio, static_ratio=static_ratio, zipf_s=zipf_s))
    sim.record(EventKind.TRAFFIC_MIX_CHANGED, value=read_ratio, since=static_ratio, text=f"{zipf_s:g}")


def _web_ids(sim: Simulation) -> list[str]:
    """The web servers of the data center that commands change now (``sim.focus``)."""
    return [i for i, spec in sim.specs.items() if spec.kind == NodeKind.WEB_SERVER and spec.dc == sim.focus]


def _of_kind(sim: Simulation, kind: NodeKind) -> str:
    return next((i for i, spec in sim.specs.items() if spec.kind == kind and _focused(sim, spec)), "")


def _focused(sim: Simulation, spec: NodeSpec) -> bool:
    return spec.kind in GLOBAL_KINDS or spec.dc == sim.focus


def _prefix(sim: Simulation) -> str:
    """Node ids in every data center but the first start with its name: ``asia-web-1``."""
    return f"{sim.focus}-" if sim.focus and sim.focus != sim.centers[0] else ""


def _placed(sim: Simulation, spec: NodeSpec) -> NodeSpec:
    """A new node of the focused data center."""
    return replace(spec, id=_prefix(sim) + spec.id, dc=sim.focus)


def _focused_data(sim: Simulation) -> DataTiers | None:
    return sim.data_by_center.get(sim.focus)


def _add_web_server(sim: Simulation) -> None:
    web_ids = _web_ids(sim)
    if len(web_ids) >= MAX_WEB_SERVERS:
        raise CommandError(
            "too_many_web_servers",
            f"at most {MAX_WEB_SERVERS} web servers",
            limit=MAX_WEB_SERVERS,
        )
    if not _of_kind(sim, NodeKind.DATABASE):
        raise CommandError(
            "data_on_web_server",
            f"move the data to a database server first: a new web server could not see "
            f"the data held inside {web_ids[0]}",
            node=web_ids[0],
        )
    node_id = add_web_server(sim)
    if not _of_kind(sim, NodeKind.LOAD_BALANCER):
        sim.record(EventKind.NO_TRAFFIC, node=node_id, peer=web_ids[0])


def add_web_server(sim: Simulation, *, join_balancer: bool = True) -> str:
    """A web server like the first one; in rotation at once unless ``join_balancer`` is off."""
    template = sim.specs[_web_ids(sim)[0]]
    number = 1
    while f"{_prefix(sim)}web-{number}" in sim.specs:
        number += 1
    node_id = f"{_prefix(sim)}web-{number}"
    sim.add_node(replace(template, id=node_id))
    lb_id = _of_kind(sim, NodeKind.LOAD_BALANCER)
    if lb_id and join_balancer:
        sim.links.append((lb_id, node_id))
    sim.links += [(node_id, target) for target in _targets(sim, template.id)]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=node_id)
    return node_id


def join_balancer(sim: Simulation, node_id: str) -> None:
    """Put a warmed-up web server behind the load balancer."""
    lb_id = _of_kind(sim, NodeKind.LOAD_BALANCER)
    if lb_id and node_id in sim.specs and (lb_id, node_id) not in sim.links:
        sim.links.append((lb_id, node_id))
        sim.rewire()


def web_ids(sim: Simulation) -> list[str]:
    return _web_ids(sim)


def _targets(sim: Simulation, node_id: str) -> list[str]:
    return [target for source, target in sim.links if source == node_id]


def _remove_web_server(sim: Simulation, node_id: str) -> None:
    web_ids = _web_ids(sim)
    node_id = node_id or web_ids[-1]
    if node_id not in web_ids:
        raise CommandError("not_a_web_server", f'"{node_id}" is not a web server', node=node_id)
    if len(web_ids) == 1:
        raise CommandError("last_web_server", "the last web server cannot be removed")
    if node_id == web_ids[0] and not _of_kind(sim, NodeKind.LOAD_BALANCER):
        # Without a load balancer DNS points at the first web server; move it.
        sim.links = [(a, web_ids[1] if b == node_id else b) for a, b in sim.links]
    sim.remove_node(node_id)
    sim.rewire()
    sim.record(EventKind.NODE_REMOVED, node=node_id)


def _add_load_balancer(sim: Simulation) -> None:
    if _of_kind(sim, NodeKind.LOAD_BALANCER):
        raise CommandError("load_balancer_exists", "there is already a load balancer")
    spec = presets.load_balancer()
    sim.add_node(spec)
    cdn_id = _of_kind(sim, NodeKind.CDN)
    sim.links = [(a, b) for a, b in sim.links if a != sim.dns_id and a != cdn_id]
    sim.links.insert(0, (sim.dns_id, spec.id))
    if cdn_id:
        sim.links[1:1] = [(sim.dns_id, cdn_id), (cdn_id, spec.id)]
    sim.links[1:1] = [(spec.id, web_id) for web_id in _web_ids(sim)]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def _separate_database(sim: Simulation) -> None:
    if _of_kind(sim, NodeKind.DATABASE):
        raise CommandError("database_exists", "the data already has a server of its own")
    spec = presets.database()
    sim.add_node(spec)
    for web_id in _web_ids(sim):
        web = sim.specs[web_id]
        service_ms = max(web.service_ms - presets.DATA_SERVICE_MS, 1.0)
        sim.specs[web_id] = replace(web, service_ms=service_ms)
        sim.stations[web_id].set_service(service_ms, web.service_dist)
        sim.links.append((web_id, spec.id))
    sim.rewire()
    sim.record(EventKind.DATABASE_SEPARATED, node=spec.id)


def _needs_database(sim: Simulation, what: str) -> None:
    if _focused_data(sim) is None:
        raise CommandError(
            "needs_database",
            f"a {what} needs a database server of its own first",
            what=what,
        )


def _add_cache(sim: Simulation) -> None:
    _needs_database(sim, "cache")
    if _of_kind(sim, NodeKind.CACHE):
        raise CommandError("cache_exists", "there is already a cache")
    spec = _placed(sim, presets.cache())
    sim.add_node(spec)
    sim.links += [(web_id, spec.id) for web_id in _web_ids(sim)]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def _add_replica(sim: Simulation) -> None:
    _needs_database(sim, "replica")
    data = _focused_data(sim)
    assert data is not None
    tier = data.tiers[0]
    if len(tier.replicas) >= MAX_REPLICAS:
        raise CommandError("too_many_replicas", f"at most {MAX_REPLICAS} replicas", limit=MAX_REPLICAS)
    number = 1
    while f"{_prefix(sim)}db-r{number}" in sim.specs:
        number += 1
    spec = _placed(sim, presets.replica(f"db-r{number}", size=sim.specs[tier.primary.id].size or "m"))
    sim.add_node(spec)
    sim.links += [(web_id, spec.id) for web_id in _web_ids(sim)]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def _add_shard(sim: Simulation, strategy: str) -> None:
    _needs_database(sim, "shard")
    before = sim.sharding
    if strategy not in SHARDING_STRATEGIES[1:]:
        raise CommandError("unknown_strategy", "sharding is by modulo or consistent_hash", strategy=strategy)
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
    moved = moved_share(old_rule, new_rule, sim.traffic.keys) if old_rule else (after.shards - 1) / after.shards
    data = _focused_data(sim)
    primary = data.tiers[0].primary if data else None
    size = sim.specs[primary.id].size if primary else "m"
    template = replace(presets.database(f"db-s{after.shards - 1}", size=size or "m"), shard=after.shards - 1)
    sim.sharding = after
    focus, spec = sim.focus, _placed(sim, template)
    for center in [c for c in sim.centers if c in sim.data_by_center]:  # every center holds all the data
        sim.focus = center
        placed = _placed(sim, template)
        sim.add_node(placed)
        sim.links += [(web_id, placed.id) for web_id in _web_ids(sim)]
    sim.focus = focus
    sim.rewire()
    sim.record(EventKind.SHARD_ADDED, node=spec.id, count=after.shards, value=moved, text=strategy)


MAX_POOL_WORKERS = 256


def _add_message_queue(sim: Simulation) -> None:
    if _of_kind(sim, NodeKind.MESSAGE_QUEUE):
        raise CommandError("queue_exists", "there is already a message queue")
    queue, pool = _placed(sim, presets.message_queue()), _placed(sim, presets.worker_pool())
    sim.add_node(queue)
    sim.add_node(pool)
    sim.links += [(web_id, queue.id) for web_id in _web_ids(sim)] + [(queue.id, pool.id)]
    sim.rewire()
    sim.record(EventKind.QUEUE_ADDED, node=queue.id, peer=pool.id)


def _set_workers(sim: Simulation, node_id: str, workers: int) -> None:
    _existing(sim, node_id)
    if sim.specs[node_id].kind != NodeKind.WORKER_POOL:
        raise CommandError("not_a_worker_pool", f'"{node_id}" is not a worker pool', node=node_id)
    if not 1 <= workers <= MAX_POOL_WORKERS:
        raise CommandError(
            "workers_out_of_range", f"a pool has 1 to {MAX_POOL_WORKERS} workers", low=1, high=MAX_POOL_WORKERS
        )
    sim.specs[node_id] = replace(sim.specs[node_id], workers=workers)
    sim.stations[node_id].resize(workers)
    sim.record(EventKind.WORKERS_SET, node=node_id, count=workers)


def _add_session_store(sim: Simulation) -> None:
    if _of_kind(sim, NodeKind.SESSION_STORE):
        raise CommandError("session_store_exists", "sessions are already in a shared store")
    spec = _placed(sim, presets.session_store())
    sim.add_node(spec)
    sim.links += [(web_id, spec.id) for web_id in _web_ids(sim)]
    sim.rewire()
    sim.record(EventKind.SESSIONS_SHARED, node=spec.id)


def _set_autoscaling(sim: Simulation, enabled: bool, low: int, high: int, target: float) -> None:
    policy = replace(sim.autoscaling, enabled=enabled, min=low, max=high, target_utilization=target)
    problems = autoscaling_problems(policy)
    if problems:
        raise CommandError("bad_autoscaling", "; ".join(str(p) for p in problems))
    if enabled and not _of_kind(sim, NodeKind.LOAD_BALANCER):
        raise CommandError("no_load_balancer", "there is no load balancer yet")
    sim.autoscaling = policy
    sim.record(EventKind.AUTOSCALING_CHANGED, count=low, value=float(high), text="on" if enabled else "off")


def _set_balancing(sim: Simulation, algorithm: str) -> None:
    lb_id = _of_kind(sim, NodeKind.LOAD_BALANCER)
    if not lb_id or lb_id not in sim.balancers:
        raise CommandError("no_load_balancer", "there is no load balancer yet")
    if algorithm not in BALANCING_ALGORITHMS:
        choices = ", ".join(BALANCING_ALGORITHMS)
        raise CommandError("unknown_algorithm", f"the algorithm must be one of {choices}", algorithm=algorithm)
    sim.specs[lb_id] = replace(sim.specs[lb_id], algorithm=algorithm)
    sim.balancers[lb_id].algorithm = algorithm
    sim.record(EventKind.BALANCING_CHANGED, node=lb_id, text=algorithm)


def _add_cdn(sim: Simulation) -> None:
    if _of_kind(sim, NodeKind.CDN):
        raise CommandError("cdn_exists", "there is already a CDN")
    spec = presets.cdn()
    origin = sim.entry.id if sim.entry else ""
    sim.add_node(spec)
    sim.links[0:0] = [(sim.dns_id, spec.id), (spec.id, origin)]
    sim.rewire()
    sim.record(EventKind.NODE_ADDED, node=spec.id)


def _the_cdn(sim: Simulation) -> str:
    cdn_id = _of_kind(sim, NodeKind.CDN)
    if not cdn_id:
        raise CommandError("no_cdn", "there is no CDN yet")
    return cdn_id


def _purge_cdn(sim: Simulation) -> None:
    cdn_id = _the_cdn(sim)
    sim.stores[cdn_id].clear()
    sim.record(EventKind.CDN_PURGED, node=cdn_id)


def _version_assets(sim: Simulation) -> None:
    cdn_id = _the_cdn(sim)
    sim.asset_version += 1
    sim.rewire()
    sim.record(EventKind.ASSETS_VERSIONED, node=cdn_id, count=sim.asset_version + 1)


def _set_operations(sim: Simulation, monitoring: bool, automation: bool) -> None:
    if automation and not monitoring:
        raise CommandError("automation_needs_monitoring", "automation needs monitoring")
    sim.operations = replace(sim.operations, monitoring=monitoring, automation=automation)
    state = "automation" if automation else "monitoring" if monitoring else "none"
    sim.record(EventKind.OPERATIONS_CHANGED, text=state)


def _center_nodes(sim: Simulation, center: str) -> list[str]:
    if not center or center not in sim.centers:
        raise CommandError("unknown_center", f'there is no data center "{center}"', center=center)
    return [i for i, spec in sim.specs.items() if spec.dc == center and i in sim.stations]


def _fail_center(sim: Simulation, center: str) -> None:
    nodes = [i for i in _center_nodes(sim, center) if not sim.is_down(i)]
    if not nodes:
        raise CommandError("center_down", f'data center "{center}" is already down', center=center)
    for node_id in nodes:
        _fail(sim, node_id)
    sim.record(EventKind.CENTER_FAILED, text=center)


def _restore_center(sim: Simulation, center: str) -> None:
    nodes = [i for i in _center_nodes(sim, center) if sim.is_down(i)]
    if not nodes:
        raise CommandError("center_up", f'data center "{center}" is already up', center=center)
    for node_id in nodes:
        _restore(sim, node_id)
    sim.record(EventKind.CENTER_RESTORED, text=center)


def _existing(sim: Simulation, node_id: str) -> None:
    if node_id not in sim.specs:
        raise CommandError("unknown_node", f'there is no node "{node_id}"', node=node_id)


def _resize(sim: Simulation, node_id: str, size: str) -> None:
    _existing(sim, node_id)
    spec = sim.specs[node_id]
    if spec.kind not in RESIZABLE:
        raise CommandError("not_resizable", f'"{node_id}" has no sizes', node=node_id)
    if size not in SIZES:
        raise CommandError("unknown_size", f"size must be one of {', '.join(SIZES)}", size=size)
    sim.specs[node_id] = spec.resized(size)
    sim.stations[node_id].resize(SIZES[size].workers)
    sim.record(EventKind.NODE_RESIZED, node=node_id, text=size)


def _fail(sim: Simulation, node_id: str) -> None:
    _existing(sim, node_id)
    if sim.is_down(node_id):
        raise CommandError("already_down", f'"{node_id}" is already down', node=node_id)
    if node_id == sim.dns_id:
        sim.dns_failed = True
    else:
        station = sim.stations[node_id]
        station.fail()
        if node_id in sim.stores:
            sim.stores[node_id].clear()  # memory is lost: it comes back cold
        if sim.tier_holding(station) is not None:
            sim.start_failover(station)
    sim.record(EventKind.NODE_FAILED, node=node_id)
    sim.start_repair(node_id)
    if node_id == sim.dns_id or sim.stations[node_id] is sim.entry:
        sim.record(EventKind.SITE_DOWN, node=node_id)


def _restore(sim: Simulation, node_id: str) -> None:
    _existing(sim, node_id)
    if not sim.is_down(node_id):
        raise CommandError("already_up", f'"{node_id}" is already up', node=node_id)
    sim.restore(node_id)
    sim.record(EventKind.NODE_RESTORED, node=node_id)
