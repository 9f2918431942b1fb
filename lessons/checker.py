"""Run a stage headless and judge its goal: what ``manage.py check_lessons`` does.

A stage passes the check when, for every seed, the goal is *not* met on the
starting run topology and *is* met once the solution is applied at t = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from architect.sim.commands import Command, CommandError
from architect.sim.simulation import Simulation
from lessons.content import Plan, Stage
from lessons.goals import GoalStatus, GoalTracker

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

    @property
    def ok(self) -> bool:
        return all(run.status.met == run.solved and not run.error for run in self.runs)

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


def check_stage(stage: Stage, *, seeds: tuple[int, ...] = SEEDS) -> StageCheck:
    return StageCheck(
        stage.slug,
        tuple(run_stage(stage, seed=s, solved=solved) for s in seeds for solved in (False, True)),
    )


def check_plan(plan: Plan, *, seeds: tuple[int, ...] = SEEDS) -> list[StageCheck]:
    return [check_stage(stage, seeds=seeds) for stage in plan.stages]


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
