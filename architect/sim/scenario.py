"""Scripted events: read from the topology format, written back, carried out on time.

``events: [{at: 30, action: fail, node: web-1}, {at: 45, recover: web-1}]``.
Each entry is an action of the vocabulary (``architect.sim.actions``) with the
simulated second it happens at, or one of the shorthands ``fail: NODE``,
``recover: NODE`` and ``set: {traffic.rps: N}``. ``Scenario`` runs them in one
SimPy process; an event the engine refuses goes into the event log.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping
from typing import Any

import simpy

from architect.sim import commands as c
from architect.sim.actions import NODE_ID, action_data, action_name, read_action
from architect.sim.commands import MAX_RPS, MAX_ZIPF_S, MIN_RPS, Command, CommandError
from architect.sim.model.limits import MAX_EVENT_AT_S, MAX_EVENTS
from architect.sim.model.problems import A_NUMBER, NODE_ID_TEXT, Problem, between
from architect.sim.model.topology import ScheduledEvent
from architect.sim.snapshot import EventKind
from architect.sim.text import N_

SHORTHANDS = ("fail", "recover", "set")
# What ``set:`` may change, with its range.
SETTABLE: dict[str, tuple[float, float]] = {
    "traffic.rps": (MIN_RPS, MAX_RPS),
    "traffic.read_ratio": (0.0, 1.0),
    "traffic.static_ratio": (0.0, 1.0),
    "traffic.zipf_s": (0.0, MAX_ZIPF_S),
}


def read_events(raw: object, problems: list[Problem]) -> tuple[ScheduledEvent, ...]:
    """The ``events`` list of a topology, noting every problem with its path."""
    if not isinstance(raw, list):
        problems.append(
            Problem("events", N_("must be a list of events, like {at: 30, fail: web-1}"))
        )
        return ()
    if len(raw) > MAX_EVENTS:
        problems.append(Problem("events", N_("at most %(limit)s events"), {"limit": MAX_EVENTS}))
        return ()
    found: list[ScheduledEvent] = []
    for i, item in enumerate(raw):
        found += _event(item, f"events[{i}]", problems)
    return tuple(found)


def _event(raw: object, path: str, problems: list[Problem]) -> list[ScheduledEvent]:
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(path, N_("must be a mapping like {at: 30, action: fail, node: web-1}"))
        )
        return []
    at = _at(raw.get("at"), path, problems)
    given = [key for key in SHORTHANDS if key in raw]
    if ("action" in raw and given) or len(given) > 1:
        problems.append(
            Problem(path, N_("give one action, or one of the shorthands fail, recover and set"))
        )
        return []
    if given:
        commands = _shorthand(raw, given[0], path, problems)
    else:
        command = read_action(raw, path, problems, extra=frozenset({"at"}))
        commands = [command] if command is not None else []
    return [ScheduledEvent(at, command) for command in commands] if at is not None else []


def _at(raw: object, path: str, problems: list[Problem]) -> float | None:
    if raw is None:
        problems.append(
            Problem(f"{path}.at", N_("is missing (the simulated second it happens at)"))
        )
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        problems.append(Problem(f"{path}.at", A_NUMBER))
        return None
    if not 0 <= raw <= MAX_EVENT_AT_S:
        problems.append(between(f"{path}.at", 0, MAX_EVENT_AT_S))
        return None
    return float(raw)


def _shorthand(
    raw: Mapping[str, Any], key: str, path: str, problems: list[Problem]
) -> list[Command]:
    for extra in sorted(set(map(str, raw)) - {"at", key}):
        problems.append(
            Problem(f"{path}.{extra}", N_("is not a field of an event with %(key)s"), {"key": key})
        )
    value = raw[key]
    if key == "set":
        return _set(value, f"{path}.set", problems)
    if not isinstance(value, str) or not NODE_ID.match(value):
        problems.append(Problem(f"{path}.{key}", NODE_ID_TEXT))
        return []
    return [c.FailNode(value) if key == "fail" else c.RestoreNode(value)]


def _set(value: object, path: str, problems: list[Problem]) -> list[Command]:
    """``{traffic.rps: N}`` is set_traffic; the mix fields are one set_traffic_mix."""
    if not isinstance(value, Mapping) or not value:
        problems.append(
            Problem(
                path,
                N_("must be a mapping of %(fields)s to numbers"),
                {"fields": ", ".join(SETTABLE)},
            )
        )
        return []
    numbers: dict[str, float] = {}
    for name, number in value.items():
        limits = SETTABLE.get(str(name))
        if limits is None:
            reason = N_("cannot be set by an event: only %(fields)s")
            problems.append(Problem(f"{path}.{name}", reason, {"fields": ", ".join(SETTABLE)}))
        elif (
            isinstance(number, bool)
            or not isinstance(number, (int, float))
            or not math.isfinite(number)
        ):
            problems.append(Problem(f"{path}.{name}", A_NUMBER))
        elif not limits[0] <= number <= limits[1]:
            problems.append(between(f"{path}.{name}", limits[0], limits[1]))
        else:
            numbers[str(name).removeprefix("traffic.")] = float(number)
    commands: list[Command] = []
    if "rps" in numbers:
        commands.append(c.SetTraffic(numbers.pop("rps")))
    if numbers:
        commands.append(c.SetTrafficMix(**numbers))
    return commands


def events_data(events: tuple[ScheduledEvent, ...]) -> list[dict[str, Any]]:
    """The ``events`` list in the action form (the inverse of ``read_events``)."""
    return [{"at": event.at, **action_data(event.command)} for event in events]


class Scenario:
    """Carries out a simulation's scripted events at their times, in one process.

    ``apply`` carries out a command (``Simulation.apply``); ``record`` logs an event.
    """

    def __init__(
        self,
        env: simpy.Environment,
        events: tuple[ScheduledEvent, ...],
        apply: Callable[[Command], None],
        record: Callable[..., None],
    ) -> None:
        self.env = env
        self.apply = apply
        self.record = record
        self.events = tuple(
            sorted(events, key=lambda event: event.at)
        )  # stable: ties keep their order
        if self.events:
            env.process(self._run())

    def _run(self) -> Generator[simpy.Event, None, None]:
        env = self.env
        for event in self.events:
            if event.at > env.now:
                yield env.timeout(event.at - env.now)
            self.carry_out(event.command)

    def carry_out(self, command: Command) -> None:
        """Apply one command now; a refusal is logged, not raised."""
        try:
            self.apply(command)
        except CommandError as error:
            where = error.params.get("node") or error.params.get("center") or ""
            self.record(
                EventKind.EVENT_REFUSED, node=str(where), peer=action_name(command), text=error.code
            )
