"""Capture from the lesson editor's sandbox: what the instructor built and did, as a
stage's starting topology, its solution and its scripted events.

The editor's sandbox starts from the stage's starting topology (its scenario's traffic
included, its scripted events left out: they are what gets recorded). Every engine action
it carries out is noted in order with the simulated second it was done at
(``Capture.note``). While recording is on, a failure, a repair or a traffic change becomes
a scripted event, ``{at: 10, action: fail, node: web-1}``; every other action (and those
too while recording is off) is a step of the solution. A reset goes back to the start
and forgets both.

The solution is the actions done, not a diff of the two topologies: the actions already
are the vocabulary ``solution:`` uses, in the order they were done and with their
parameters (a size, a shard strategy, a region), where a diff would have to invent an
order and parameters and cannot tell one added replica from another. What the engine did
by itself (the autoscaler) is not an action, so ``rebuilds`` checks that the solution,
applied to the start at t = 0 as ``check_lessons`` applies it, gives the architecture on
screen.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from architect.sim.actions import action_data, parse_action, parse_actions
from architect.sim.commands import Command, CommandError
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.limits import MAX_EVENTS
from architect.sim.model.problems import TopologyError
from architect.sim.simulation import Simulation
from lessons.stage_format import MAX_ACTIONS

# Done while recording, these become scripted events; every other action a solution step.
EVENT_ACTIONS = frozenset(
    {"fail", "restore", "fail_data_center", "restore_data_center", "set_traffic", "set_traffic_mix"}
)
# What the architecture is, without the traffic and its script (``rebuilds`` compares it).
NOT_ARCHITECTURE = ("traffic", "events", "name")


def start_topology(run_topology: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's start: a stage's run topology without its scripted events."""
    return {key: value for key, value in run_topology.items() if key != "events"}


def fingerprint(topology: dict[str, Any]) -> str:
    """Names a start, so a log kept for another start (the stage was edited) is dropped."""
    text = json.dumps(topology, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _tidy(value: object) -> object:
    """Whole floats as integers (``rps: 250``, ``at: 10``), as people write them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class Capture:
    """One editor sandbox's log since its start (see the module)."""

    start: str
    recording: bool = False
    steps: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    full: bool = False  # an action was not noted: the solution or the events are at their limit

    def note(self, command: Command, at: float) -> None:
        """An action the engine carried out at simulated second ``at``."""
        data = {key: _tidy(value) for key, value in action_data(command).items()}
        if self.recording and data["action"] in EVENT_ACTIONS:
            target, limit, data = self.events, MAX_EVENTS, {"at": _tidy(round(at, 1)), **data}
        else:
            target, limit = self.steps, MAX_ACTIONS
        if len(target) >= limit:
            self.full = True
            return
        target.append(data)

    def clear(self) -> None:
        """Back at the start: nothing done yet (recording stays as it was)."""
        self.steps, self.events, self.full = [], [], False

    def as_data(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "recording": self.recording,
            "steps": list(self.steps),
            "events": list(self.events),
            "full": self.full,
        }

    @classmethod
    def from_data(cls, data: object, start: str) -> Capture:
        """A kept log, or an empty one when it is of another start or does not read."""
        if not isinstance(data, dict) or data.get("start") != start:
            return cls(start)
        steps, events = data.get("steps"), data.get("events")
        if not isinstance(steps, list) or not isinstance(events, list):
            return cls(start)
        if not _mappings(steps, MAX_ACTIONS) or not _mappings(events, MAX_EVENTS):
            return cls(start)
        return cls(
            start,
            recording=data.get("recording") is True,
            steps=[_written_order(step) for step in steps],
            events=[_written_order(event) for event in events],
            full=data.get("full") is True,
        )


def _written_order(item: dict[str, Any]) -> dict[str, Any]:
    """A kept action with its keys as ``note`` wrote them (``at``, then the vocabulary's
    order): PostgreSQL's jsonb keeps a mapping's keys in an order of its own."""
    body = {key: value for key, value in item.items() if key != "at"}
    try:
        order = list(action_data(parse_action(body, "kept")))
    except TopologyError:
        order = []
    keys = ["at", *order, *body]
    return {key: item[key] for key in dict.fromkeys(keys) if key in item}


def _mappings(items: object, limit: int) -> bool:
    return (
        isinstance(items, list) and len(items) <= limit and all(isinstance(i, dict) for i in items)
    )


def architecture(topology: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in topology.items() if key not in NOT_ARCHITECTURE}


def rebuilds(start: dict[str, Any], steps: list[dict[str, Any]], built: dict[str, Any]) -> bool:
    """Whether ``steps``, applied to ``start`` at t = 0, give ``built``'s architecture."""
    try:
        sim = Simulation(load_topology(start), seed=1)
        commands: tuple[Command, ...] = parse_actions(steps, "solution")
        for command in commands:
            sim.apply(command)
    except (TopologyError, CommandError):
        return False
    return architecture(dump_topology(sim.current_topology())) == architecture(built)
