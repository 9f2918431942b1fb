"""What each command does to a running simulation: ``plan`` checks it and returns the
change, ``apply`` carries it out.

Every handler checks first and changes second, so a ``CommandError`` always leaves
the simulation as it was (see ``architect.sim.changes.common``). The handlers live
by tier: ``web`` (web servers, load balancer, sessions, CDN), ``data`` (database,
cache, replicas, shards), ``other`` (traffic, jobs, sizes, operations) and
``failures``; with several data centers, ``centers`` decides where each applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from architect.sim.changes import centers, data, failures, other, web
from architect.sim.changes.common import Change
from architect.sim.commands import (
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
    Denormalise,
    FailDataCenter,
    FailNode,
    IsolateHotKey,
    PurgeCdn,
    RemoveWebServer,
    ResizeNode,
    RestoreDataCenter,
    RestoreNode,
    SeparateDatabase,
    SetAutoscaling,
    SetBalancing,
    SetCache,
    SetCdn,
    SetOperations,
    SetSync,
    SetTraffic,
    SetTrafficMix,
    SetWorkers,
    VersionAssets,
)

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def apply(sim: Engine, command: Command) -> None:
    """Carry out ``command``, or raise ``CommandError`` and change nothing."""
    plan(sim, command)()


def plan(sim: Engine, command: Command) -> Change:
    """Check ``command`` against the simulation now: its change, or ``CommandError``."""
    return centers.plan(sim, command, _here)


def _here(sim: Engine, command: Command) -> Change:
    match command:
        case SetTraffic(rps=rps):
            return other.set_traffic(sim, rps)
        case SetTrafficMix(read_ratio=read_ratio, static_ratio=static_ratio, zipf_s=zipf_s):
            return other.set_mix(sim, read_ratio, static_ratio, zipf_s)
        case AddWebServer():
            return web.add_web_server(sim)
        case RemoveWebServer(node_id=node_id):
            return web.remove_web_server(sim, node_id)
        case AddLoadBalancer():
            return web.add_load_balancer(sim)
        case SeparateDatabase():
            return data.separate_database(sim)
        case AddCache():
            return data.add_cache(sim)
        case SetCache(ttl_s=ttl_s, eviction=eviction):
            return data.set_cache(sim, ttl_s, eviction)
        case AddReplica():
            return data.add_replica(sim)
        case AddCdn():
            return web.add_cdn(sim)
        case PurgeCdn():
            return web.purge_cdn(sim)
        case VersionAssets():
            return web.version_assets(sim)
        case SetCdn(assets=assets):
            return web.set_cdn(sim, assets)
        case SetSync(mode=mode):
            return failures.set_sync(sim, mode)
        case AddMessageQueue():
            return other.add_message_queue(sim)
        case SetWorkers(node_id=node_id, workers=workers):
            return other.set_workers(sim, node_id, workers)
        case AddSessionStore():
            return web.add_session_store(sim)
        case SetAutoscaling(enabled=enabled, min=low, max=high, target_utilization=target):
            return web.set_autoscaling(sim, enabled, low, high, target)
        case SetBalancing(algorithm=algorithm):
            return web.set_balancing(sim, algorithm)
        case AddShard(strategy=strategy):
            return data.add_shard(sim, strategy)
        case Denormalise():
            return data.denormalise(sim)
        case IsolateHotKey():
            return data.isolate_hot_key(sim)
        case SetOperations(monitoring=monitoring, automation=automation):
            return other.set_operations(sim, monitoring, automation)
        case ResizeNode(node_id=node_id, size=size):
            return other.resize(sim, node_id, size)
        case FailDataCenter(center=center):
            return failures.fail_center(sim, center)
        case RestoreDataCenter(center=center):
            return failures.restore_center(sim, center)
        case FailNode(node_id=node_id):
            return failures.fail(sim, node_id)
        case RestoreNode(node_id=node_id):
            return failures.restore(sim, node_id)
        case _:
            raise CommandError("unknown_command", f"unknown command {command!r}")
