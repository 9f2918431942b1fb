"""Which actions of the vocabulary would succeed now, by the very checks ``apply`` uses.

Each action is tried as a command (``plan`` checks it without changing anything):
allowed when the check passes, refused when it raises ``CommandError``. An action
with parameters is tried with the ones a page would send by default, listed below,
so "allowed" means its preconditions hold (a load balancer to set the algorithm of,
a worker pool to size); a value out of range is refused whatever the state.

- site-wide actions (``Allowed.site``): every action that names no node or center;
- per node (``Allowed.nodes``): ``fail``, ``restore``, ``resize``, ``remove_web_server``
  and ``set_workers``, tried on each node;
- per data center (``Allowed.centers``): ``fail_data_center``, ``restore_data_center``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from architect.sim import commands as c
from architect.sim.changes.dispatch import plan
from architect.sim.commands import Command, CommandError
from architect.sim.engine.describe import Allowed
from architect.sim.model.limits import HOME_REGION, MAX_POOL_WORKERS, REGIONS
from architect.sim.model.topology import NodeSpec
from architect.sim.snapshot import CenterSnapshot

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine

DEFAULT_STRATEGY = c.AddShard().strategy


def _shard(sim: Engine) -> Command:
    """The strategy the data is sharded by; the default before the first split."""
    strategy = sim.sharding.strategy
    return c.AddShard(strategy if strategy != "none" else DEFAULT_STRATEGY)


def _autoscaling(sim: Engine) -> Command:
    policy = sim.autoscaling
    return c.SetAutoscaling(True, policy.min, policy.max, policy.target_utilization)


def _data_center(sim: Engine) -> Command:
    """A copy of the first center, in the first region without one."""
    taken = [center or HOME_REGION for center in sim.centers]
    free = [region for region in REGIONS if region not in taken]
    return c.AddDataCenter(region=free[0] if free else REGIONS[0])


def _algorithm(sim: Engine) -> Command:
    return c.SetBalancing(sim.balancer.algorithm if sim.balancer else "round_robin")


SITE: dict[str, Callable[[Engine], Command]] = {
    "set_traffic": lambda sim: c.SetTraffic(sim.rps),
    "set_traffic_mix": lambda sim: c.SetTrafficMix(),
    "add_web_server": lambda sim: c.AddWebServer(),
    "remove_web_server": lambda sim: c.RemoveWebServer(),  # the newest
    "add_load_balancer": lambda sim: c.AddLoadBalancer(),
    "separate_database": lambda sim: c.SeparateDatabase(),
    "add_cache": lambda sim: c.AddCache(),
    "set_cache": lambda sim: c.SetCache(),
    "add_replica": lambda sim: c.AddReplica(),
    "add_cdn": lambda sim: c.AddCdn(),
    "purge_cdn": lambda sim: c.PurgeCdn(),
    "version_assets": lambda sim: c.VersionAssets(),
    "set_cdn": lambda sim: c.SetCdn(1.0),
    "add_session_store": lambda sim: c.AddSessionStore(),
    "set_balancing": _algorithm,
    "set_autoscaling": _autoscaling,  # turning it on, with the current policy
    "set_operations": lambda sim: c.SetOperations(monitoring=True, automation=True),
    "add_shard": _shard,
    "denormalise": lambda sim: c.Denormalise(),
    "isolate_hot_key": lambda sim: c.IsolateHotKey(),
    "add_message_queue": lambda sim: c.AddMessageQueue(),
    "add_data_center": _data_center,
    "set_sync": lambda sim: c.SetSync(sim.network.dc_sync),
}
NODE: dict[str, Callable[[NodeSpec], Command]] = {
    "fail": lambda spec: c.FailNode(spec.id),
    "restore": lambda spec: c.RestoreNode(spec.id),
    "resize": lambda spec: c.ResizeNode(spec.id, spec.size or "m"),
    "remove_web_server": lambda spec: c.RemoveWebServer(spec.id),
    "set_workers": lambda spec: c.SetWorkers(spec.id, min(max(spec.workers, 1), MAX_POOL_WORKERS)),
}
CENTER: dict[str, Callable[[str], Command]] = {
    "fail_data_center": c.FailDataCenter,
    "restore_data_center": c.RestoreDataCenter,
}


def allowed(sim: Engine) -> Allowed:
    """Every action that would succeed now (see the module docstring)."""
    return Allowed(
        site=frozenset(name for name, probe in SITE.items() if _passes(sim, probe(sim))),
        nodes={
            node_id: frozenset(name for name, probe in NODE.items() if _passes(sim, probe(spec)))
            for node_id, spec in sim.specs.items()
        },
        centers=tuple(
            CenterSnapshot(
                center,
                frozenset(name for name, probe in CENTER.items() if _passes(sim, probe(center))),
            )
            for center in sim.centers
        ),
    )


def _passes(sim: Engine, command: Command) -> bool:
    try:
        plan(sim, command)
    except CommandError:
        return False
    return True
