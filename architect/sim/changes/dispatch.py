"""What each command does to a running simulation: ``apply`` dispatches.

Every handler checks first and changes second, so a ``CommandError`` always
leaves the simulation as it was. The handlers live by tier:
``changes_web`` (web servers, load balancer, sessions, CDN), ``changes_data``
(database, cache, replicas, shards) and ``changes_other`` (traffic, jobs,
sizes, operations, failures); their shared helpers in ``changes_common``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from architect.sim.changes import centers
from architect.sim.changes.data import add_cache as _add_cache
from architect.sim.changes.data import add_replica as _add_replica
from architect.sim.changes.data import add_shard as _add_shard
from architect.sim.changes.data import separate_database as _separate_database
from architect.sim.changes.other import add_message_queue as _add_message_queue
from architect.sim.changes.other import fail as _fail
from architect.sim.changes.other import fail_center as _fail_center
from architect.sim.changes.other import resize as _resize
from architect.sim.changes.other import restore as _restore
from architect.sim.changes.other import restore_center as _restore_center
from architect.sim.changes.other import set_mix as _set_mix
from architect.sim.changes.other import set_operations as _set_operations
from architect.sim.changes.other import set_traffic as _set_traffic
from architect.sim.changes.other import set_workers as _set_workers
from architect.sim.changes.web import add_cdn as _add_cdn
from architect.sim.changes.web import add_load_balancer as _add_load_balancer
from architect.sim.changes.web import add_session_store as _add_session_store
from architect.sim.changes.web import add_web_server_checked as _add_web_server
from architect.sim.changes.web import purge_cdn as _purge_cdn
from architect.sim.changes.web import remove_web_server as _remove_web_server
from architect.sim.changes.web import set_autoscaling as _set_autoscaling
from architect.sim.changes.web import set_balancing as _set_balancing
from architect.sim.changes.web import version_assets as _version_assets
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

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

__all__ = ["apply"]


def apply(sim: Engine, command: Command) -> None:
    """Carry out ``command``; with several data centers see ``architect.sim.changes.centers``."""
    centers.apply(sim, command, _apply_here)


def _apply_here(sim: Engine, command: Command) -> None:
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
