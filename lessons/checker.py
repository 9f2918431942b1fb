"""Run a stage headless and judge its goal: what ``manage.py check_lessons`` does.

Each of a stage's "try it" experiments is checked as a stage. A stage passes the
check when, for every seed, the goal is *not* met on the
starting run topology and *is* met once the solution is applied at t = 0, and no
shortcut (``lessons.shortcuts``) meets it unless the plan allows that one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from architect.sim.commands import Command, CommandError
from architect.sim.simulation import Simulation
from lessons.content import Plan, Stage
from lessons.goals import GoalStatus, GoalTracker
from lessons.shortcuts import SHORTCUT_SEEDS, Outcome, search

SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class Run:
    seed: int
    solved: bool  # with the solution applied
    status: GoalStatus
    error: str = ""  # a solution action the engine refused


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
        found = []
        for run in self.runs:
            if run.error:
                found.append(f"seed {run.seed}: the solution was refused: {run.error}")
            elif run.solved and not run.status.met:
                found.append(
                    f"seed {run.seed}: the goal is not met with the solution ({_why(run.status)})"
                )
            elif not run.solved and run.status.met:
                found.append(f"seed {run.seed}: the goal is already met without doing the lesson")
        found += [
            f"shortcut {o.shortcut.key}: {o.shortcut.label} meets the goal (seed {o.seed})"
            for o in self.undeclared()
        ]
        return found


def run_stage(stage: Stage, *, seed: int, solved: bool) -> Run:
    """One headless run of ``stage``: 1 s steps, each snapshot fed to the goal tracker
    (which judges the closed seconds it carries, however long the steps are)."""
    sim = Simulation(stage.run_topology(), seed=seed)
    tracker = GoalTracker(stage.goal.as_data(), duration_s=stage.duration_s)
    if solved:
        try:
            _apply_all(sim, stage.solution_commands())
        except CommandError as error:
            return Run(seed, solved, tracker.status, error.message)
    status = tracker.status
    for second in range(
        1, int(stage.duration_s) + 1
    ):  # the engine carries out the scenario's events
        status = tracker.observe(sim.advance(second - sim.now))
    return Run(seed, solved, status)


def check_stage(
    stage: Stage, *, seeds: tuple[int, ...] = SEEDS, shortcuts: bool = True
) -> StageCheck:
    runs = tuple(run_stage(stage, seed=s, solved=solved) for s in seeds for solved in (False, True))
    nothing = next((r.status for r in runs if r.seed == SHORTCUT_SEEDS[0] and not r.solved), None)
    return StageCheck(
        stage.slug,
        runs,
        tuple(search(stage, nothing=nothing)) if shortcuts else (),
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


def _why(status: GoalStatus) -> str:
    failing = [c for c in status.conditions if c.failed_s]
    if not failing:
        return f"{status.checked_s} of {status.span_s} seconds checked"
    parts = [
        f"{c.metric}{'(' + c.node + ')' if c.node else ''}"
        f" {c.operator.replace('_', ' ')} {c.threshold:g} "
        f"failed in {c.failed_s} of {status.checked_s} s, first in second {c.first_failure_s}, "
        f"worst {_num(c.worst)}"
        for c in failing
    ]
    return "; ".join(parts)


def _num(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"
