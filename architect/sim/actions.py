"""The action vocabulary: one plain-data form for every change to a simulation,
its live session or a lesson stage.

``{action: fail, node: web-1}`` is the shape of a topology's ``events:``, a lesson's
``solution:`` and the page's WebSocket messages alike. ``read_action`` turns one
mapping into a command and ``action_data`` turns it back; ``parse_actions`` reads a
list and reports every problem at once, each with its path, like the topology loader.

Each use accepts its own subset: ``ENGINE_ACTIONS`` (events, solutions: a ``Command``
for ``Simulation.apply``), ``SANDBOX_ACTIONS`` (those and the live session's
``Control``), ``LESSON_ACTIONS`` (those and a stage's own ``LessonCommand``),
``AUTHORING_ACTIONS`` (the sandbox's and the lesson editor's ``record``).
``form=True`` reads what an HTML form sends (htmx ``ws-send``): every value a string,
an empty field absent, an unticked checkbox absent and a ticked one ``"on"``, and a
ratio in percent under its form name (``read_percent`` for ``read_ratio``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, cast

from architect.sim import commands as c
from architect.sim.commands import MAX_RPS, MAX_ZIPF_S, MIN_RPS, SPEEDS, Command
from architect.sim.model.limits import (
    BALANCING_ALGORITHMS,
    CACHE_TTL_S,
    CDN_ASSETS,
    DC_SYNC_MODES,
    EVICTIONS,
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
    ZERO_OR_MORE,
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
PERCENT = 100  # a form's percentage of a ratio
CHECKED = ("on", "true", "1")  # a form's ticked checkbox
UNCHECKED = ("off", "false", "0")

# Reasons of this module's own (the others are ``architect.sim.problems``').
UNKNOWN_ACTION = N_('unknown action "%(action)s"')
NOT_A_FIELD_OF = N_("is not a field of %(action)s")
NOT_A_MAPPING = N_("must be a mapping with an action, like {action: add_web_server}")
ON_OR_OFF = N_("must be on or off")
NOT_ABOVE_MAX = N_("must not be above max")

Action = Command | c.Control | c.LessonCommand | c.AuthoringCommand


@dataclass(frozen=True, slots=True)
class Number:
    """A number in [low, high] (``high`` None: zero or more, ``low`` being 0), optionally
    whole and one of ``among``."""

    low: float
    high: float | None
    whole: bool = False
    among: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Choice:
    choices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Name:
    """A node id or a data center's name; ``reason`` says which."""

    reason: str


@dataclass(frozen=True, slots=True)
class Flag:
    """True or false (in a form: a checkbox)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an action: its name in the data, how it is read, the command's attribute."""

    name: str
    kind: Number | Choice | Name | Flag
    attribute: str = ""  # "" when it is the name
    required: bool = True
    percent: str = ""  # a ratio that forms give in percent, under this name

    def key(self, form: bool) -> str:
        """The field's name in the data (in a form, a ratio's percentage name)."""
        return self.percent if form and self.percent else self.name


@dataclass(frozen=True, slots=True)
class _Action:
    command: type
    fields: tuple[Field, ...] = ()


class _Reading:
    """Reads the fields of one action mapping, noting each problem with its path."""

    def __init__(
        self, data: Mapping[str, Any], path: str, problems: list[Problem], form: bool
    ) -> None:
        self.data, self.path, self.problems, self.form = data, path, problems, form
        self.ok = True

    def problem(self, key: str, reason: str, /, **params: object) -> None:
        self.add(Problem(f"{self.path}.{key}", reason, params))

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.ok = False

    def present(self, key: str) -> bool:
        """Whether the data gives ``key`` (a form's empty field gives nothing)."""
        return key in self.data and not (self.form and self.data[key] in ("", None))

    def read(self, field: Field) -> Any:
        key = field.key(self.form)
        raw, kind = self.data[key], field.kind
        if isinstance(kind, Number):
            return self.number(key, raw, kind, PERCENT if self.form and field.percent else 1)
        if isinstance(kind, Choice):
            if raw not in kind.choices:
                self.add(one_of(f"{self.path}.{key}", kind.choices))
                return None
            return str(raw)
        if isinstance(kind, Name):
            if not isinstance(raw, str) or not NODE_ID.match(raw):
                self.problem(key, kind.reason, value=str(raw)[:40])
                return None
            return raw
        return self.flag(key, raw)

    def number(self, key: str, raw: object, kind: Number, scale: int) -> float | int | None:
        value = _number(raw) if self.form and isinstance(raw, str) else raw
        whole_ok = isinstance(value, int) or (self.form and isinstance(value, float))
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not _finite(value)
            or (kind.whole and not whole_ok)
        ):
            self.problem(key, A_WHOLE_NUMBER if kind.whole else A_NUMBER)
            return None
        if kind.whole and value != int(value):
            self.problem(key, A_WHOLE_NUMBER)
            return None
        low = _scaled(kind.low, scale)
        high = None if kind.high is None else _scaled(kind.high, scale)
        if high is None and value < low:  # no upper limit: zero or more
            self.problem(key, ZERO_OR_MORE)
            return None
        if high is not None and not low <= value <= high:
            self.add(between(f"{self.path}.{key}", low, high))
            return None
        if kind.among and value not in kind.among:
            self.add(one_of(f"{self.path}.{key}", [str(v) for v in kind.among]))
            return None
        return int(value) if kind.whole else float(value) / scale

    def flag(self, key: str, raw: object) -> bool | None:
        if isinstance(raw, bool):
            return raw
        if self.form and str(raw).lower() in CHECKED + UNCHECKED:
            return str(raw).lower() in CHECKED
        self.problem(key, ON_OR_OFF if self.form else TRUE_OR_FALSE)
        return None


def _finite(value: float) -> bool:
    """Whether ``value`` is finite (a Python int always is, however large: ``isfinite``
    would convert it to a float and overflow)."""
    return isinstance(value, int) or math.isfinite(value)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _scaled(limit: float, scale: int) -> float:
    """A limit in the form's unit (rounded: 0.05 × 100 is 5.000000000000001)."""
    return limit if scale == 1 else round(limit * scale, 9)


_NODE = Field("node", Name(NODE_ID_TEXT), "node_id")
_CENTER = Field("center", Name(CENTER_TEXT))
_RATIO = Number(0, 1)
_SERVERS = Number(1, MAX_WEB_SERVERS, whole=True)
_FLAG = Flag()

_ENGINE: dict[str, _Action] = {
    "set_traffic": _Action(c.SetTraffic, (Field("rps", Number(MIN_RPS, MAX_RPS)),)),
    "set_traffic_mix": _Action(
        c.SetTrafficMix,
        (
            Field("read_ratio", _RATIO, required=False, percent="read_percent"),
            Field("static_ratio", _RATIO, required=False, percent="static_percent"),
            Field("zipf_s", Number(0, MAX_ZIPF_S), required=False),
        ),
    ),
    "add_web_server": _Action(c.AddWebServer),
    "remove_web_server": _Action(
        c.RemoveWebServer, (Field("node", Name(NODE_ID_TEXT), "node_id", required=False),)
    ),
    "add_load_balancer": _Action(c.AddLoadBalancer),
    "separate_database": _Action(c.SeparateDatabase),
    "add_cache": _Action(c.AddCache),
    "set_cache": _Action(
        c.SetCache,
        (
            Field("ttl_s", Number(*CACHE_TTL_S), required=False),
            Field("eviction", Choice(EVICTIONS), required=False),
        ),
    ),
    "add_replica": _Action(c.AddReplica),
    "add_cdn": _Action(c.AddCdn),
    "purge_cdn": _Action(c.PurgeCdn),
    "version_assets": _Action(c.VersionAssets),
    "set_cdn": _Action(c.SetCdn, (Field("assets", Number(*CDN_ASSETS), percent="assets_percent"),)),
    "add_session_store": _Action(c.AddSessionStore),
    "set_balancing": _Action(c.SetBalancing, (Field("algorithm", Choice(BALANCING_ALGORITHMS)),)),
    "set_autoscaling": _Action(
        c.SetAutoscaling,
        (
            Field("enabled", _FLAG),
            Field("min", _SERVERS, required=False),
            Field("max", _SERVERS, required=False),
            Field(
                "target_utilization",
                Number(*TARGET_UTILIZATION),
                required=False,
                percent="target_percent",
            ),
        ),
    ),
    "set_operations": _Action(
        c.SetOperations, (Field("monitoring", _FLAG), Field("automation", _FLAG))
    ),
    "add_shard": _Action(c.AddShard, (Field("strategy", Choice(STRATEGIES), required=False),)),
    "denormalise": _Action(c.Denormalise),
    "isolate_hot_key": _Action(c.IsolateHotKey),
    "add_message_queue": _Action(c.AddMessageQueue),
    "set_workers": _Action(
        c.SetWorkers, (_NODE, Field("workers", Number(1, MAX_POOL_WORKERS, whole=True)))
    ),
    "resize": _Action(c.ResizeNode, (_NODE, Field("size", Choice(tuple(SIZES))))),
    "fail": _Action(c.FailNode, (_NODE,)),
    "restore": _Action(c.RestoreNode, (_NODE,)),
    "add_data_center": _Action(
        c.AddDataCenter,
        (Field("region", Choice(REGIONS)), Field("center", Name(CENTER_TEXT), required=False)),
    ),
    "fail_data_center": _Action(c.FailDataCenter, (_CENTER,)),
    "restore_data_center": _Action(c.RestoreDataCenter, (_CENTER,)),
    "set_sync": _Action(c.SetSync, (Field("mode", Choice(DC_SYNC_MODES)),)),
}
_CONTROLS: dict[str, _Action] = {
    "pause": _Action(c.Pause),
    "resume": _Action(c.Resume),
    "speed": _Action(
        c.SetSpeed, (Field("speed", Number(min(SPEEDS), max(SPEEDS), whole=True, among=SPEEDS)),)
    ),
    "reset": _Action(c.Reset),
}
# Sent by the page's script, not by a form: whether the learner can see the page.
_PAGE: dict[str, _Action] = {
    "page_hidden": _Action(c.PageHidden),
    "page_shown": _Action(c.PageShown),
}
_LESSON: dict[str, _Action] = {
    "predict": _Action(c.Predict, (Field("choice", Number(0, None, whole=True)),)),
    "skip_prediction": _Action(c.SkipPrediction),
    "run": _Action(c.RunExperiment),
    "hint": _Action(c.ShowHint),
}
# The lesson editor's capture sandbox: record failures and traffic changes as events.
_AUTHORING: dict[str, _Action] = {"record": _Action(c.Record, (Field("on", _FLAG),))}
_VOCABULARY = _ENGINE | _CONTROLS | _PAGE | _LESSON | _AUTHORING
_NAMES = {action.command: name for name, action in _VOCABULARY.items()}

ENGINE_ACTIONS: tuple[str, ...] = tuple(_ENGINE)  # topology events, lesson solutions
PAGE_ACTIONS: tuple[str, ...] = tuple(_PAGE)  # the page's script, on either socket
SANDBOX_ACTIONS: tuple[str, ...] = (
    ENGINE_ACTIONS + tuple(_CONTROLS) + PAGE_ACTIONS
)  # the sandbox's socket
LESSON_ACTIONS: tuple[str, ...] = SANDBOX_ACTIONS + tuple(_LESSON)  # a stage's socket
AUTHORING_ACTIONS: tuple[str, ...] = SANDBOX_ACTIONS + tuple(_AUTHORING)  # the editor's sandbox
ACTIONS = ENGINE_ACTIONS


def stage_actions(controls: Collection[str] | None) -> frozenset[str]:
    """What a lesson stage carries out: the engine actions among its ``controls`` (every
    one when None: a stage that lists none offers the whole sandbox), the live session's
    controls and the lesson's own commands."""
    engine = ENGINE_ACTIONS if controls is None else [a for a in ENGINE_ACTIONS if a in controls]
    return frozenset((*engine, *_CONTROLS, *_PAGE, *_LESSON))


def parse_action(data: object, path: str) -> Command:
    """One action mapping as an engine command, or ``TopologyError`` with every problem."""
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
    """The engine command an action mapping describes, noting problems (keys in ``extra``
    are someone else's, like an event's ``at``)."""
    return cast("Command | None", read(data, path, problems, accepts=ENGINE_ACTIONS, extra=extra))


def read(
    data: object,
    path: str,
    problems: list[Problem],
    *,
    accepts: Collection[str],
    form: bool = False,
    extra: frozenset[str] = frozenset(),
) -> Action | None:
    """The command an action mapping describes, if its action is one ``accepts`` holds;
    ``form``: read it as an HTML form sends it."""
    if not isinstance(data, Mapping):
        problems.append(Problem(path, NOT_A_MAPPING))
        return None
    name = data.get("action")
    action = _VOCABULARY.get(name) if isinstance(name, str) and name in accepts else None
    if action is None:
        if name is None or (form and name == ""):
            problems.append(Problem(f"{path}.action", MISSING))
        else:
            problems.append(Problem(f"{path}.action", UNKNOWN_ACTION, {"action": str(name)[:40]}))
        return None
    reading = _Reading(data, path, problems, form)
    known = {"action", *(f.key(form) for f in action.fields)} | extra
    for key in sorted(set(map(str, data)) - known):
        reading.problem(key, NOT_A_FIELD_OF, action=name)
    values: dict[str, Any] = {}
    for field in action.fields:
        if reading.present(field.key(form)):
            values[field.attribute or field.name] = reading.read(field)
        elif form and isinstance(field.kind, Flag):
            values[field.attribute or field.name] = False  # an unticked checkbox is not sent
        elif field.required:
            reading.problem(field.key(form), MISSING)
    if action.command is c.SetAutoscaling and reading.ok:
        defaults = c.SetAutoscaling(enabled=False)
        low, high = values.get("min", defaults.min), values.get("max", defaults.max)
        if low > high:
            reading.problem("min", NOT_ABOVE_MAX, low=low, high=high)
    return cast("Action", action.command(**values)) if reading.ok else None


def action_data(command: Action) -> dict[str, Any]:
    """The plain mapping for a command (the inverse of ``read``)."""
    name = _NAMES[type(command)]
    data: dict[str, Any] = {"action": name}
    for field in _VOCABULARY[name].fields:
        value = getattr(command, field.attribute or field.name)
        if field.required or value not in (None, ""):
            data[field.name] = value
    return data


def action_name(command: Action) -> str:
    """The vocabulary's name for a command (``fail`` for ``FailNode``)."""
    return _NAMES[type(command)]


def fields(name: str, *, form: bool = False) -> tuple[str, ...]:
    """The field names action ``name`` reads (in a form: ratios under their percent names)."""
    return tuple(field.key(form) for field in _VOCABULARY[name].fields)


def limits(name: str, key: str, *, form: bool = False) -> tuple[float, float | None]:
    """The range of a number field of action ``name`` (in a form, in the form's unit):
    what the page's inputs say as ``min`` and ``max``."""
    field = next(f for f in _VOCABULARY[name].fields if f.key(form) == key)
    assert isinstance(field.kind, Number), key
    scale, high = PERCENT if form and field.percent else 1, field.kind.high
    return _scaled(field.kind.low, scale), None if high is None else _scaled(high, scale)


__all__ = [
    "ACTIONS",
    "AUTHORING_ACTIONS",
    "ENGINE_ACTIONS",
    "LESSON_ACTIONS",
    "NODE_ID",
    "PAGE_ACTIONS",
    "SANDBOX_ACTIONS",
    "Action",
    "action_data",
    "action_name",
    "fields",
    "limits",
    "parse_action",
    "parse_actions",
    "read",
    "read_action",
    "stage_actions",
]
