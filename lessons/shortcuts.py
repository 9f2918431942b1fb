"""Generic shortcuts: ways a learner might meet a stage's goal without doing what it teaches.

``check_lessons`` tries each on every stage, besides the stage's own check: doing nothing,
holding the traffic at its minimum, restoring every failed node by hand the moment it
fails, every node at the largest size (alone and with those repairs), the wrong answers
the plan names for the stage (``shortcuts: [{try: NAME, actions: [...]}]``), and the
solution without each of its steps. One that meets the goal is a shortcut, unless the plan allows
it with a reason (``shortcuts: [{allow: KEY, reason: ...}]``). What the stage fixes for its
run (``lessons.fixed``) is honoured as the stage page honours it: a shortcut that needs
something the stage fixes is *blocked*, not run (what is left of it is tried anyway).

A run stops at its first failed second: it can no longer meet the goal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from architect.sim.actions import action_name
from architect.sim.commands import (
    Command,
    CommandError,
    ResizeNode,
    RestoreDataCenter,
    RestoreNode,
    SetTraffic,
)
from architect.sim.model.sizes import LARGEST_SIZE
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeStatus, Snapshot
from architect.sim.text import N_, Text
from lessons import fixed as fixing
from lessons import vocabulary
from lessons.content import Stage
from lessons.goals import GoalStatus, GoalTracker

# Low traffic that still completes requests every second: at 0 (or 1) req/s seconds with
# no completed request have no latency and fail the goal, which would hide the shortcut.
MIN_TRAFFIC_RPS = 20.0
SHORTCUT_SEEDS = (1,)
_AFTER_EVENT_S = 1e-3  # a hand restore lands this soon after a scripted failure
_REPAIRS = ("restore", "restore_data_center")
GENERIC = (
    "nothing",
    "minimum_traffic",
    "restore_by_hand",
    "every_node_xl",
    "every_node_xl_restore",
)


@dataclass(frozen=True)
class Shortcut:
    key: str  # what a plan's ``allow`` names: minimum_traffic, without_step_2, ...
    label: Text  # in the report (``str`` gives it in English)
    actions: tuple[dict[str, Any], ...] = ()  # before the run (at t = 0)
    hold_rps: float | None = None  # the traffic the learner holds during the whole run
    restore_by_hand: bool = False  # every failed node or center, the moment it fails
    largest: bool = False  # every node that can be resized, to the largest size


@dataclass(frozen=True)
class Outcome:
    shortcut: Shortcut
    seed: int = 0
    met: bool = False
    blocked: str = ""  # what the stage fixes that rules it out
    refused: str = ""  # an action the engine refused
    status: GoalStatus | None = None

    def describe(self) -> str:
        if self.blocked:
            return f"blocked ({self.blocked})"
        if self.refused:
            return f"refused ({self.refused})"
        if self.met:
            return "MEETS THE GOAL"
        status = self.status
        failed = status.first_failure_s if status is not None else None
        return "not met" + (f" (first failed second ends at {failed:g} s)" if failed else "")


def shortcuts_for(stage: Stage) -> list[Shortcut]:
    """The generic shortcuts, then the solution without each of its steps."""
    found = [
        Shortcut("nothing", Text(N_("do nothing"))),
        Shortcut(
            "minimum_traffic",
            Text(N_("traffic held at its minimum (%(rps)s req/s)"), {"rps": MIN_TRAFFIC_RPS}),
            ({"action": "set_traffic", "rps": MIN_TRAFFIC_RPS},),
            hold_rps=MIN_TRAFFIC_RPS,
        ),
        Shortcut(
            "restore_by_hand", Text(N_("restore every failed node by hand")), restore_by_hand=True
        ),
        Shortcut(
            "every_node_xl", Text(N_("every node %(size)s"), {"size": LARGEST_SIZE}), largest=True
        ),
        Shortcut(
            "every_node_xl_restore",
            Text(N_("every node %(size)s and restore by hand"), {"size": LARGEST_SIZE}),
            restore_by_hand=True,
            largest=True,
        ),
    ]
    for name, steps in stage.tries:
        label = Text(
            N_("the plan's wrong answer %(name)s (%(steps)s)"),
            {"name": name, "steps": "; ".join(map(_step_text, steps))},
        )
        found.append(Shortcut(name, label, steps))
    seen: set[tuple[str, ...]] = {()}  # without its only step: "do nothing"
    for index, step in enumerate(stage.solution):
        rest = stage.solution[:index] + stage.solution[index + 1 :]
        signature = tuple(map(repr, rest))
        if signature in seen:
            continue
        seen.add(signature)
        label = Text(
            N_("the solution without step %(index)s (%(step)s)"),
            {"index": index, "step": _step_text(step)},
        )
        found.append(Shortcut(f"without_step_{index}", label, rest))
    return found


def shortcut_keys(stage: Stage) -> set[str]:
    """Every key a plan may ``allow`` for ``stage``."""
    return set(GENERIC) | {f"without_step_{i}" for i in range(len(stage.solution))}


def try_shortcut(
    stage: Stage,
    shortcut: Shortcut,
    *,
    seed: int,
    nothing: GoalStatus | None = None,
    repairs: bool = True,
) -> Outcome:
    """Run ``stage`` with ``shortcut`` as its stage page would let a learner.

    ``nothing``: the status of the run without any change on ``seed``, when the caller has
    it; ``repairs``: whether that run, before it stopped, had something down that a learner
    could restore (``repairs_due``). A shortcut that turns out to change nothing (no
    action, every node already at the largest size, nothing done during the run, no
    scripted event to stop after) would run exactly that run again, so its outcome is
    that status.
    """
    blocked = _blocked(stage, shortcut)
    if blocked:
        return Outcome(shortcut, seed, blocked=blocked)
    sim = Simulation(stage.run_topology(), seed=seed)
    try:
        commands = _commands(shortcut.actions)
        for command in commands:
            sim.apply(command)
        resized = _resize_all(sim) if shortcut.largest else 0
    except CommandError as error:
        return Outcome(shortcut, seed, refused=error.message)
    if nothing is not None and not commands and not resized and _idle(stage, shortcut, repairs):
        return Outcome(shortcut, seed, met=nothing.met, status=nothing)
    tracker = GoalTracker(stage.goal.as_data(), duration_s=stage.duration_s)
    status = tracker.status
    for t, whole in _stops(stage):
        snapshot = sim.advance(t - sim.now)
        if whole:
            status = tracker.observe(snapshot)
            if status.failing:
                break
        _interfere(sim, snapshot, stage, shortcut)
    return Outcome(shortcut, seed, met=status.met, status=status)


def search(
    stage: Stage,
    *,
    seeds: tuple[int, ...] = SHORTCUT_SEEDS,
    nothing: GoalStatus | None = None,
    repairs: bool = True,
) -> list[Outcome]:
    """Every shortcut on ``stage``: its outcome on the first seed where it meets the goal
    (else on the last seed). ``nothing`` and ``repairs``: the run without any change on
    the first seed, when the caller has it (``check_lessons`` does; see ``try_shortcut``):
    the ``nothing`` shortcut's outcome, and any other's that turns out to change nothing."""
    outcomes = []
    for shortcut in shortcuts_for(stage):
        if shortcut.key == "nothing" and nothing is not None:
            outcomes.append(Outcome(shortcut, seeds[0], met=nothing.met, status=nothing))
            continue
        outcome = Outcome(shortcut)
        for seed in seeds:
            unchanged = nothing if seed == seeds[0] else None
            outcome = try_shortcut(stage, shortcut, seed=seed, nothing=unchanged, repairs=repairs)
            if outcome.met or outcome.blocked or outcome.refused:
                break
        outcomes.append(outcome)
    return outcomes


def _blocked(stage: Stage, shortcut: Shortcut) -> str:
    """Why the stage page would not let a learner take ``shortcut`` ("" when it would).

    An action the stage does not offer is refused on the server; an action the stage
    fixes for its run does not carry over to it. What is left of a blocked generic
    shortcut is another one, tried anyway (``every_node_xl`` for ``every_node_xl_restore``,
    ``nothing`` for the others).
    """
    actions = [action_name(vocabulary.parse(a, "shortcut")) for a in shortcut.actions]
    if shortcut.hold_rps is not None:
        actions.append("set_traffic")
    if shortcut.largest:
        actions.append("resize")
    if shortcut.restore_by_hand:
        offered = [a for a in _REPAIRS if _offered(stage, a)]
        actions += offered or ["restore"]
    reasons = [f"fixed: {n}" for n in (fixing.fixed_by(stage.fixed, a) for a in actions) if n]
    reasons += [f"{a} not offered" for a in actions if not _offered(stage, a)]
    return ", ".join(dict.fromkeys(r for r in reasons if r))


def _offered(stage: Stage, action: str) -> bool:
    return not stage.controls or action in stage.controls


def _commands(actions: Iterable[dict[str, Any]]) -> list[Command]:
    return [vocabulary.parse(a, "shortcut") for a in actions]


def _resize_all(sim: Simulation) -> int:
    """Every node that can be resized to the largest size; how many were."""
    smaller = [
        n.id for n in sim.snapshot().nodes if "resize" in n.actions and n.size != LARGEST_SIZE
    ]
    for node_id in smaller:
        sim.apply(ResizeNode(node_id, LARGEST_SIZE))
    return len(smaller)


def _idle(stage: Stage, shortcut: Shortcut, repairs: bool) -> bool:
    """The learner does nothing during the run, which stops only at whole seconds (as
    ``checker.run_stage`` does): no traffic held, no repair (or none ever due), no
    scripted event."""
    return (
        shortcut.hold_rps is None
        and not (shortcut.restore_by_hand and repairs)
        and all(whole for _, whole in _stops(stage))
    )


def _stops(stage: Stage) -> list[tuple[float, bool]]:
    """Whole seconds (judged), and a moment just after each scripted event."""
    whole = {float(s): True for s in range(1, int(stage.duration_s) + 1)}
    events = {
        e.at + _AFTER_EVENT_S: False
        for e in stage.run_topology().events
        if e.at + _AFTER_EVENT_S < stage.duration_s
    }
    return sorted({**events, **whole}.items())


def _interfere(sim: Simulation, snapshot: Snapshot, stage: Stage, shortcut: Shortcut) -> None:
    """What the learner does during the run: hold the traffic, restore what failed."""
    if shortcut.hold_rps is not None and sim.rps != shortcut.hold_rps:
        sim.apply(SetTraffic(shortcut.hold_rps))
    if not shortcut.restore_by_hand:
        return
    for command in repairs_due(stage, snapshot):
        with contextlib.suppress(CommandError):  # restoring its center brought it back
            sim.apply(command)


def repairs_due(stage: Stage, snapshot: Snapshot) -> list[Command]:
    """What restoring by hand does at ``snapshot``: restore every failed center and node
    the stage lets a learner restore."""
    restores: list[Command] = []
    if _offered(stage, "restore_data_center"):
        restores += [
            RestoreDataCenter(c.name)
            for c in snapshot.centers
            if "restore_data_center" in c.actions
        ]
    if _offered(stage, "restore"):
        restores += [
            RestoreNode(n.id)
            for n in snapshot.nodes
            if n.status == NodeStatus.DOWN and "restore" in n.actions
        ]
    return restores


def _step_text(step: dict[str, Any]) -> str:
    fields = ", ".join(f"{k}: {v}" for k, v in step.items() if k != "action")
    return str(step["action"]) + (f" {fields}" if fields else "")
