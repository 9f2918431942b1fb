"""Run a stage headless and judge its goal: what ``manage.py check_lessons`` does.

Each of a stage's "try it" experiments is checked as a stage. A stage passes the
check when, for every seed, the goal is *not* met on the
starting run topology and *is* met once the solution is applied at t = 0, and no
shortcut (``lessons.shortcuts``) meets it unless the plan allows that one.

Each reason a stage fails is a ``Fault``: the part of the stage to fix and an English
template marked with ``N_`` (``architect.sim.text``), so the command prints English and
the lesson editor's check (``authoring.tasks``) says it in the instructor's language
(``architect.problem_text.reason_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from architect.sim.commands import Command, CommandError
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Snapshot
from architect.sim.text import N_, Text, render
from lessons.content import Plan, Stage
from lessons.goals import GoalStatus, GoalTracker
from lessons.shortcuts import SHORTCUT_SEEDS, Outcome, repairs_due, search

SEEDS = (1, 2, 3)
OPERATOR_WORDS = {
    "below": N_("below"),
    "at_most": N_("at most"),
    "at_least": N_("at least"),
    "above": N_("above"),
}


@dataclass(frozen=True)
class Run:
    seed: int
    solved: bool  # with the solution applied
    status: GoalStatus
    error: str = ""  # a solution action the engine refused
    refusal: CommandError | None = field(default=None, compare=False)  # the same, to translate


@dataclass(frozen=True)
class Fault:
    """One reason a stage fails its check: the part to fix (``goal``, ``solution`` or
    ``shortcuts``) and why, as a template and its parameters."""

    part: str
    reason: str
    params: Mapping[str, object]

    @property
    def message(self) -> str:
        """In English."""
        return render(self.reason, self.params)


@dataclass(frozen=True)
class StageCheck:
    slug: str
    runs: tuple[Run, ...]
    shortcuts: tuple[Outcome, ...] = ()
    allowed: tuple[str, ...] = ()  # the shortcuts the plan allows

    @property
    def ok(self) -> bool:
        runs_ok = all(run.status.met == run.solved and not run.error for run in self.runs)
        return runs_ok and not self.undeclared()

    def undeclared(self) -> list[Outcome]:
        """Shortcuts that meet the goal and the plan does not allow."""
        return [o for o in self.shortcuts if o.met and o.shortcut.key not in self.allowed]

    def stale(self) -> list[str]:
        """Allowed shortcuts that no longer meet the goal."""
        met = {o.shortcut.key for o in self.shortcuts if o.met}
        return [key for key in self.allowed if key not in met]

    def problems(self) -> list[str]:
        """Every fault, in English (what ``check_lessons`` prints)."""
        return [fault.message for fault in self.faults()]

    def faults(self) -> list[Fault]:
        found = []
        for run in self.runs:
            if run.error:
                error = run.refusal or run.error
                found.append(
                    Fault(
                        "solution",
                        N_("seed %(seed)s: the solution was refused: %(error)s"),
                        {"seed": run.seed, "error": error},
                    )
                )
            elif run.solved and not run.status.met:
                found.append(
                    Fault(
                        "solution",
                        N_("seed %(seed)s: the goal is not met with the solution (%(why)s)"),
                        {"seed": run.seed, "why": _why(run.status)},
                    )
                )
            elif not run.solved and run.status.met:
                found.append(
                    Fault(
                        "goal",
                        N_("seed %(seed)s: the goal is already met without doing the lesson"),
                        {"seed": run.seed},
                    )
                )
        found += [
            Fault(
                "shortcuts",
                N_("shortcut %(key)s: %(label)s meets the goal (seed %(seed)s)"),
                {"key": o.shortcut.key, "label": o.shortcut.label, "seed": o.seed},
            )
            for o in self.undeclared()
        ]
        return found


def run_stage(
    stage: Stage, *, seed: int, solved: bool, watch: Callable[[Snapshot], object] | None = None
) -> Run:
    """One headless run of ``stage``: 1 s steps, each snapshot fed to the goal tracker
    (which judges the closed seconds it carries, however long the steps are). A run
    without the solution stops at its first failed second (it can no longer meet the
    goal); one with it goes to the end, so a failure reports every second it failed.
    ``watch`` sees each snapshot the run goes on from."""
    sim = Simulation(stage.run_topology(), seed=seed)
    tracker = GoalTracker(stage.goal.as_data(), duration_s=stage.duration_s)
    if solved:
        try:
            _apply_all(sim, stage.solution_commands())
        except CommandError as error:
            return Run(seed, solved, tracker.status, error.message, error)
    status = tracker.status
    for second in range(1, int(stage.duration_s) + 1):  # the engine runs the scenario's events
        snapshot = sim.advance(second - sim.now)
        status = tracker.observe(snapshot)
        if status.failing and not solved:
            break  # unsolved, it can no longer meet the goal: what the check asks is shown
        if watch is not None:
            watch(snapshot)
    return Run(seed, solved, status)


def check_stage(
    stage: Stage, *, seeds: tuple[int, ...] = SEEDS, shortcuts: bool = True
) -> StageCheck:
    """Every seed without and with the solution, then the shortcuts on the first shortcut
    seed, which take the run without the solution where they would only repeat it."""
    first = SHORTCUT_SEEDS[0]
    due: list[float] = []  # when the unchanged run had something to restore by hand

    def watch(snapshot: Snapshot) -> None:
        if repairs_due(stage, snapshot):
            due.append(snapshot.t)

    runs = tuple(
        run_stage(stage, seed=s, solved=solved, watch=None if solved or s != first else watch)
        for s in seeds
        for solved in (False, True)
    )
    nothing = next((r.status for r in runs if r.seed == first and not r.solved), None)
    return StageCheck(
        stage.slug,
        runs,
        tuple(search(stage, nothing=nothing, repairs=bool(due))) if shortcuts else (),
        tuple(stage.allowed_shortcuts),
    )


def with_experiments(stage: Stage) -> list[tuple[str, Stage]]:
    """The stage and each of its "try it" experiments, checked alike: ``(name, stage)``
    with the name ``stage`` or ``stage/experiment``."""
    return [(stage.slug, stage), *((f"{stage.slug}/{e.slug}", e) for e in stage.experiments)]


def check_plan(plan: Plan, *, seeds: tuple[int, ...] = SEEDS) -> list[StageCheck]:
    """Every stage and every experiment (an experiment's ``slug`` is ``stage/experiment``)."""
    return [
        replace(check_stage(unit, seeds=seeds), slug=name)
        for stage in plan.stages
        for name, unit in with_experiments(stage)
    ]


def _apply_all(sim: Simulation, commands: tuple[Command, ...]) -> None:
    for command in commands:
        sim.apply(command)


def _why(status: GoalStatus) -> Text:
    """Why the goal was not met: each failing condition (a phrase of its own)."""
    failing = [c for c in status.conditions if c.failed_s]
    if not failing:
        return Text(
            N_("%(checked)s of %(span)s seconds checked"),
            {"checked": status.checked_s, "span": status.span_s},
        )
    parts = {
        f"c{n}": Text(
            N_(
                "%(metric)s %(operator)s %(threshold)s failed in %(failed)s of %(checked)s s, "
                "first in second %(first)s, worst %(worst)s"
            ),
            {
                "metric": f"{c.metric}({c.node})" if c.node else c.metric,
                "operator": Text(OPERATOR_WORDS.get(c.operator, c.operator)),
                "threshold": c.threshold,
                "failed": c.failed_s,
                "checked": status.checked_s,
                "first": c.first_failure_s,
                "worst": _num(c.worst),
            },
        )
        for n, c in enumerate(failing)
    }
    # the phrases joined: a template of placeholders only, the same in every language
    return Text("; ".join(f"%({key})s" for key in parts), parts)


def _num(value: float | None) -> Text | str:
    return Text(N_("none")) if value is None else f"{value:.4g}"
