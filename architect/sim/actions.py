"""The action vocabulary: one plain-data form for every change to a simulation.

``{action: fail, node: web-1}`` is the same shape as the sandbox's WebSocket
messages. ``parse_action`` turns one mapping into a ``Command`` and
``action_data`` turns it back; ``parse_actions`` reads a list and reports
every problem at once, each with its path, like the topology loader.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from architect.sim import commands as c
from architect.sim.commands import MAX_RPS, MAX_ZIPF_S, MIN_RPS, Command
from architect.sim.model.limits import (
    BALANCING_ALGORITHMS,
    MAX_POOL_WORKERS,
    MAX_WEB_SERVERS,
    REGIONS,
    SHARDING_STRATEGIES,
)
from architect.sim.model.problems import (
    A_NUMBER,
    A_WHOLE_NUMBER,
    CENTER_TEXT,
    MISSING,
    NODE_ID_TEXT,
    TRUE_OR_FALSE,
    Problem,
    TopologyError,
    between,
    one_of,
)
from architect.sim.model.sizes import SIZES
from architect.sim.text import N_

NODE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
STRATEGIES = SHARDING_STRATEGIES[1:]  # "none" is where the data starts, not a choice
TARGET_UTILIZATION = (0.05, 0.95)


@dataclass(frozen=True, slots=True)
class _Field:
    """One field of an action: its command attribute, how to read it, its default."""

    name: str  # in the data
    attribute: str  # on the command
    read: Callable[[_Fields, str], Any]
    required: bool = True


@dataclass(frozen=True, slots=True)
class _Action:
    command: type
    fields: tuple[_Field, ...] = ()


class _Fields:
    """Reads the fields of one action mapping, noting each problem with its path."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
        self.data, self.path, self.problems = data, path, problems
        self.ok = True

    def problem(self, name: str, reason: str, /, **params: object) -> None:
        self.add(Problem(f"{self.path}.{name}", reason, params))

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.ok = False

    def number(
        self, name: str, low: float, high: float, *, whole: bool = False
    ) -> float | int | None:
        raw = self.data[name]
        kind_ok = isinstance(raw, int) if whole else isinstance(raw, (int, float))
        if isinstance(raw, bool) or not kind_ok or not math.isfinite(raw):
            self.problem(name, A_WHOLE_NUMBER if whole else A_NUMBER)
            return None
        if not low <= raw <= high:
            self.add(between(f"{self.path}.{name}", low, high))
            return None
        return int(raw) if whole else float(raw)

    def flag(self, name: str) -> bool | None:
        raw = self.data[name]
        if not isinstance(raw, bool):
            self.problem(name, TRUE_OR_FALSE)
            return None
        return raw

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        raw = self.data[name]
        if raw not in choices:
            self.add(one_of(f"{self.path}.{name}", choices))
            return None
        return str(raw)

    def name(self, name: str, message: str) -> str | None:
        raw = self.data[name]
        if not isinstance(raw, str) or not NODE_ID.match(raw):
            self.problem(name, message)
            return None
        return raw


def _rps(f: _Fields, name: str) -> Any:
    return f.number(name, MIN_RPS, MAX_RPS)


def _ratio(f: _Fields, name: str) -> Any:
    return f.number(name, 0, 1)


def _zipf(f: _Fields, name: str) -> Any:
    return f.number(name, 0, MAX_ZIPF_S)


def _node(f: _Fields, name: str) -> Any:
    return f.name(name, NODE_ID_TEXT)


def _center(f: _Fields, name: str) -> Any:
    return f.name(name, CENTER_TEXT)


def _flag(f: _Fields, name: str) -> Any:
    return f.flag(name)


def _servers(f: _Fields, name: str) -> Any:
    return f.number(name, 1, MAX_WEB_SERVERS, whole=True)


def _target(f: _Fields, name: str) -> Any:
    return f.number(name, *TARGET_UTILIZATION)


def _pool(f: _Fields, name: str) -> Any:
    return f.number(name, 1, MAX_POOL_WORKERS, whole=True)


def _size(f: _Fields, name: str) -> Any:
    return f.choice(name, tuple(SIZES))


def _region(f: _Fields, name: str) -> Any:
    return f.choice(name, REGIONS)


def _algorithm(f: _Fields, name: str) -> Any:
    return f.choice(name, BALANCING_ALGORITHMS)


def _strategy(f: _Fields, name: str) -> Any:
    return f.choice(name, STRATEGIES)


_NODE = _Field("node", "node_id", _node)
_VOCABULARY: dict[str, _Action] = {
    "set_traffic": _Action(c.SetTraffic, (_Field("rps", "rps", _rps),)),
    "set_traffic_mix": _Action(
        c.SetTrafficMix,
        (
            _Field("read_ratio", "read_ratio", _ratio, required=False),
            _Field("static_ratio", "static_ratio", _ratio, required=False),
            _Field("zipf_s", "zipf_s", _zipf, required=False),
        ),
    ),
    "add_web_server": _Action(c.AddWebServer),
    "remove_web_server": _Action(
        c.RemoveWebServer, (_Field("node", "node_id", _node, required=False),)
    ),
    "add_load_balancer": _Action(c.AddLoadBalancer),
    "separate_database": _Action(c.SeparateDatabase),
    "add_cache": _Action(c.AddCache),
    "add_replica": _Action(c.AddReplica),
    "add_cdn": _Action(c.AddCdn),
    "purge_cdn": _Action(c.PurgeCdn),
    "version_assets": _Action(c.VersionAssets),
    "add_session_store": _Action(c.AddSessionStore),
    "set_balancing": _Action(c.SetBalancing, (_Field("algorithm", "algorithm", _algorithm),)),
    "set_autoscaling": _Action(
        c.SetAutoscaling,
        (
            _Field("enabled", "enabled", _flag),
            _Field("min", "min", _servers, required=False),
            _Field("max", "max", _servers, required=False),
            _Field("target_utilization", "target_utilization", _target, required=False),
        ),
    ),
    "set_operations": _Action(
        c.SetOperations,
        (_Field("monitoring", "monitoring", _flag), _Field("automation", "automation", _flag)),
    ),
    "add_shard": _Action(c.AddShard, (_Field("strategy", "strategy", _strategy, required=False),)),
    "add_message_queue": _Action(c.AddMessageQueue),
    "set_workers": _Action(c.SetWorkers, (_NODE, _Field("workers", "workers", _pool))),
    "resize": _Action(c.ResizeNode, (_NODE, _Field("size", "size", _size))),
    "fail": _Action(c.FailNode, (_NODE,)),
    "restore": _Action(c.RestoreNode, (_NODE,)),
    "add_data_center": _Action(
        c.AddDataCenter,
        (_Field("region", "region", _region), _Field("center", "center", _center, required=False)),
    ),
    "fail_data_center": _Action(c.FailDataCenter, (_Field("center", "center", _center),)),
    "restore_data_center": _Action(c.RestoreDataCenter, (_Field("center", "center", _center),)),
}
ACTIONS: tuple[str, ...] = tuple(_VOCABULARY)
_NAMES = {action.command: name for name, action in _VOCABULARY.items()}


def parse_action(data: object, path: str) -> Command:
    """One action mapping as a command, or ``TopologyError`` with every problem in it."""
    problems: list[Problem] = []
    command = read_action(data, path, problems)
    if command is None or problems:
        raise TopologyError(problems)
    return command


def parse_actions(items: object, path: str) -> tuple[Command, ...]:
    """A list of action mappings as commands; ``TopologyError`` lists every problem at once."""
    problems: list[Problem] = []
    if not isinstance(items, list):
        raise TopologyError([Problem(path, N_("must be a list of actions"))])
    found = [read_action(item, f"{path}[{i}]", problems) for i, item in enumerate(items)]
    if problems:
        raise TopologyError(problems)
    return tuple(command for command in found if command is not None)


def read_action(
    data: object, path: str, problems: list[Problem], *, extra: frozenset[str] = frozenset()
) -> Command | None:
    """The command an action mapping describes, noting problems (keys in ``extra`` are skipped)."""
    if not isinstance(data, Mapping):
        problems.append(
            Problem(path, N_("must be a mapping with an action, like {action: add_web_server}"))
        )
        return None
    name = data.get("action")
    action = _VOCABULARY.get(name) if isinstance(name, str) else None
    if action is None:
        if name is None:
            problems.append(Problem(f"{path}.action", MISSING))
        else:
            problems.append(
                Problem(
                    f"{path}.action", N_('unknown action "%(action)s"'), {"action": str(name)[:40]}
                )
            )
        return None
    reader = _Fields(data, path, problems)
    known = {"action", *(f.name for f in action.fields)} | extra
    for key in sorted(set(map(str, data)) - known):
        reader.problem(key, N_("is not a field of %(action)s"), action=name)
    values: dict[str, Any] = {}
    for spec in action.fields:
        if spec.name in data:
            values[spec.attribute] = spec.read(reader, spec.name)
        elif spec.required:
            reader.problem(spec.name, MISSING)
    if action.command is c.SetAutoscaling and reader.ok:
        defaults = c.SetAutoscaling(enabled=False)
        if values.get("min", defaults.min) > values.get("max", defaults.max):
            reader.problem("min", N_("must not be above max"))
    return action.command(**values) if reader.ok else None


def action_data(command: Command) -> dict[str, Any]:
    """The plain mapping for a command (the inverse of ``parse_action``)."""
    name = _NAMES[type(command)]
    data: dict[str, Any] = {"action": name}
    for spec in _VOCABULARY[name].fields:
        value = getattr(command, spec.attribute)
        if spec.required or value not in (None, ""):
            data[spec.name] = value
    return data


def action_name(command: Command) -> str:
    """The vocabulary's name for a command (``fail`` for ``FailNode``)."""
    return _NAMES[type(command)]


__all__ = [
    "ACTIONS",
    "NODE_ID",
    "action_data",
    "action_name",
    "parse_action",
    "parse_actions",
    "read_action",
]
