"""The action vocabulary (shared contract §1) as the lesson loader and checker use it.

``architect.sim.actions`` (branch ``events``) owns the vocabulary; until it is
merged, a small pure fallback here parses the same mappings, so plans load
and check either way. ``parse(data, path)`` returns a command or raises
``ActionProblem`` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from architect.sim import commands as sim
from architect.sim.topology import TopologyError

try:  # pragma: no cover - which branch runs depends on the merge
    from architect.sim import actions as _actions
except ImportError:  # pragma: no cover
    _actions = None  # type: ignore[assignment]


class ActionProblem(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


# action: (command class, {field: (attribute, type, default or REQUIRED)})
_REQUIRED = object()
_FIELDS: dict[str, tuple[type, dict[str, tuple[str, type, Any]]]] = {
    "set_traffic": (sim.SetTraffic, {"rps": ("rps", float, _REQUIRED)}),
    "set_traffic_mix": (sim.SetTrafficMix, {
        "read_ratio": ("read_ratio", float, 1.0), "static_ratio": ("static_ratio", float, 0.0),
        "zipf_s": ("zipf_s", float, 1.0),
    }),
    "add_web_server": (sim.AddWebServer, {}),
    "remove_web_server": (sim.RemoveWebServer, {"node": ("node_id", str, "")}),
    "add_load_balancer": (sim.AddLoadBalancer, {}),
    "separate_database": (sim.SeparateDatabase, {}),
    "add_cache": (sim.AddCache, {}),
    "add_replica": (sim.AddReplica, {}),
    "add_cdn": (sim.AddCdn, {}),
    "purge_cdn": (sim.PurgeCdn, {}),
    "version_assets": (sim.VersionAssets, {}),
    "add_session_store": (sim.AddSessionStore, {}),
    "set_balancing": (sim.SetBalancing, {"algorithm": ("algorithm", str, _REQUIRED)}),
    "set_autoscaling": (sim.SetAutoscaling, {
        "enabled": ("enabled", bool, _REQUIRED), "min": ("min", int, 2), "max": ("max", int, 10),
        "target_utilization": ("target_utilization", float, 0.6),
    }),
    "set_operations": (sim.SetOperations, {
        "monitoring": ("monitoring", bool, False), "automation": ("automation", bool, False),
    }),
    "add_shard": (sim.AddShard, {"strategy": ("strategy", str, "consistent_hash")}),
    "add_message_queue": (sim.AddMessageQueue, {}),
    "set_workers": (sim.SetWorkers, {"node": ("node_id", str, _REQUIRED), "workers": ("workers", int, _REQUIRED)}),
    "resize": (sim.ResizeNode, {"node": ("node_id", str, _REQUIRED), "size": ("size", str, _REQUIRED)}),
    "fail": (sim.FailNode, {"node": ("node_id", str, _REQUIRED)}),
    "restore": (sim.RestoreNode, {"node": ("node_id", str, _REQUIRED)}),
    "fail_data_center": (sim.FailDataCenter, {"center": ("center", str, _REQUIRED)}),
    "restore_data_center": (sim.RestoreDataCenter, {"center": ("center", str, _REQUIRED)}),
}

ACTIONS: tuple[str, ...] = tuple(_actions.ACTIONS) if _actions is not None else tuple(_FIELDS)
HAS_SIM_ACTIONS = _actions is not None


def parse(data: object, path: str) -> sim.Command:
    """One action mapping → a command; ``ActionProblem`` lists what is wrong."""
    if _actions is not None:
        try:
            return _actions.parse_action(data, path)
        except TopologyError as error:
            raise ActionProblem([(p.path, p.message) for p in error.problems]) from None
    return _fallback(data, path)


def _fallback(data: object, path: str) -> sim.Command:
    if not isinstance(data, Mapping):
        raise ActionProblem([(path, "must be a mapping with an action, like {action: add_web_server}")])
    name = data.get("action")
    if name not in _FIELDS:
        raise ActionProblem([(f"{path}.action", f'unknown action "{name}"')])
    cls, fields = _FIELDS[str(name)]
    problems = [(f"{path}.{k}", "unknown field") for k in map(str, data) if k not in fields and k != "action"]
    values: dict[str, Any] = {}
    for key, (attr, kind, default) in fields.items():
        raw = data.get(key, default)
        if raw is _REQUIRED:
            problems.append((f"{path}.{key}", "is required"))
        elif kind is float and isinstance(raw, (int, float)) and not isinstance(raw, bool):
            values[attr] = float(raw)
        elif isinstance(raw, kind) and (kind is bool or not isinstance(raw, bool)):
            values[attr] = raw
        else:
            problems.append((f"{path}.{key}", f"must be {'a number' if kind in (int, float) else kind.__name__}"))
    if problems:
        raise ActionProblem(problems)
    return cls(**values)  # type: ignore[no-any-return]
