"""Read a stage's "try it" experiments: each a second scenario with its own judged goal.

An experiment has a stage's form (``lessons.stage_format``) and is read by the same
reader, with the same limits and problems (``stages[2].experiments[0].goal: ...``);
only its topology differs: ``{from: solution}`` (the default: the stage's start with
its solution applied, any split it made settled: its keys in place), ``{from: stage}``
(the stage's start) or a full topology.
It has no experiments of its own. Each becomes a ``content.Stage`` that
``check_lessons`` and the experiment's page treat as a stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from architect.sim.commands import Command, CommandError
from architect.sim.model.topology import Topology
from architect.sim.text import N_
from architect.yamlmarks import join
from lessons import content, runs
from lessons.stage_format import _STAGE_KEYS, StageReader

if TYPE_CHECKING:
    from lessons.format import _Reader

MAX_EXPERIMENTS = 5
FROM = ("solution", "stage")


class ExperimentReader(StageReader):
    """One experiment: a stage without ``experiments``, its topology taken from its stage."""

    KEYS = tuple(k for k in _STAGE_KEYS if k != "experiments")
    REQUIRED = ("slug", "title", "body", "goal", "solution")

    def __init__(
        self,
        reader: _Reader,
        path: str,
        start: Topology | None,
        solved: tuple[Topology, tuple[Command, ...]] | None,
    ) -> None:
        super().__init__(reader, path, None)
        self.stage_start = start
        self.solved = solved

    def topology(self, raw: object) -> Topology | None:
        if raw is None:
            return self.from_stage({"from": "solution"}, self.at("topology"))
        if isinstance(raw, Mapping) and "from" in raw:
            return self.from_stage(raw, self.at("topology"))
        return super().topology(raw)

    def from_stage(self, raw: Mapping[str, Any], path: str) -> Topology | None:
        data = self.r.mapping(raw, path, ("from",), ("from",))
        where = data.get("from")
        if where not in FROM:
            self.r.problem(
                join(path, "from"), N_('must be "solution" or "stage" (or give a full topology)')
            )
            return None
        if where == "stage":
            if self.stage_start is None:
                self.r.problem(join(path, "from"), N_("the stage has problems (fix them first)"))
            return self.stage_start
        if self.solved is None:
            self.r.problem(join(path, "from"), N_("the stage has problems (fix them first)"))
            return None
        topology, solution = self.solved
        try:
            solved = runs.applied(topology, solution)
            # the stage's splits are done: an experiment starts with its keys in place
            return replace(solved, sharding=solved.sharding.settled())
        except CommandError as error:  # the stage reports its own solution problem
            reason = N_("the stage's solution cannot be applied: %(error)s")
            self.r.problem(join(path, "from"), reason, error=error)
            return None


def read_experiments(
    reader: _Reader,
    path: str,
    raw: object,
    start: Topology | None,
    solved: tuple[Topology, tuple[Command, ...]] | None,
) -> tuple[content.Stage, ...]:
    """The experiments listed at ``path`` (problems go to ``reader``)."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_EXPERIMENTS:
        reader.problem(
            path,
            N_("must be a list of 1 to %(limit)s experiments, like [{slug: ..., goal: ...}]"),
            limit=MAX_EXPERIMENTS,
        )
        return ()
    found: list[content.Stage] = []
    for index, item in enumerate(raw):
        where = join(path, index)
        experiment, _resolved = ExperimentReader(reader, where, start, solved).read(item)
        if experiment is None:
            continue
        if any(e.slug == experiment.slug for e in found):
            reader.problem(
                join(where, "slug"),
                N_('"%(slug)s" is used by an earlier experiment of this stage'),
                slug=experiment.slug,
            )
            continue
        found.append(experiment)
    return tuple(found)
