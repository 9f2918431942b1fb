"""A lesson plan as plain frozen dataclasses: what ``lessons.format.load_plan`` returns.

No Django here. Texts are ``{language: Markdown}`` mappings; topologies and
actions are plain data in the engine's formats (docs/topology.md and the
action vocabulary), so a stage can be stored as JSON and run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from architect.sim.commands import Command
from architect.sim.loader import load_topology
from architect.sim.model.topology import Topology
from lessons import vocabulary
from lessons.goals import LATENCY_METRICS, METRICS, NODE_METRICS
from lessons.goals import OPERATORS as _OPERATORS

Texts = dict[str, str]
__all__ = ["LATENCY_METRICS", "METRICS", "NODE_METRICS", "OPERATORS"]

OPERATORS = tuple(_OPERATORS)


@dataclass(frozen=True)
class Condition:
    """``metric`` (of ``node``) compared with ``threshold`` by ``operator``."""

    metric: str
    operator: str
    threshold: float
    node: str = ""

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"metric": self.metric}
        if self.node:
            data["node"] = self.node
        data[self.operator] = self.threshold
        return data


@dataclass(frozen=True)
class Goal:
    """What a stage asks for: every condition holds in every second from ``from_s`` on."""

    text: Texts
    conditions: tuple[Condition, ...]
    from_s: float = 5.0

    def as_data(self) -> dict[str, Any]:
        return {
            "text": dict(self.text),
            "from_s": self.from_s,
            "conditions": [c.as_data() for c in self.conditions],
        }


MAX_ESTIMATE = 1_000_000


@dataclass(frozen=True)
class Estimate:
    """A number to estimate (a whole number in ``unit``); a guess within ``tolerance``
    (a share of ``answer``, 0 to 1) of it is right."""

    answer: int
    tolerance: float
    unit: Texts

    def as_data(self) -> dict[str, Any]:
        return {"answer": self.answer, "tolerance": self.tolerance, "unit": dict(self.unit)}


def estimate_holds(estimate: dict[str, Any], guess: int) -> bool:
    """True when ``guess`` is within the estimate's tolerance (stage data form)."""
    answer = float(estimate["answer"])
    return abs(guess - answer) <= float(estimate["tolerance"]) * answer + 1e-9


def guess_fits(predict: dict[str, Any], guess: int) -> bool:
    """True when ``guess`` can answer the question: a choice's index, or an estimate
    from 0 to ``MAX_ESTIMATE``."""
    if predict.get("estimate"):
        return 0 <= guess <= MAX_ESTIMATE
    return 0 <= guess < len(predict.get("choices") or [])


@dataclass(frozen=True)
class Predict:
    """A question asked before the experiment: ``answer`` indexes ``choices``, or, for a
    numeric question, ``estimate`` holds the number (and ``choices`` is empty)."""

    question: Texts
    choices: tuple[Texts, ...]
    answer: int
    why: Texts
    estimate: Estimate | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"question": dict(self.question), "why": dict(self.why)}
        if self.estimate is not None:
            data["estimate"] = self.estimate.as_data()
        else:
            data["choices"] = [dict(c) for c in self.choices]
            data["answer"] = self.answer
        return data


@dataclass(frozen=True)
class Stage:
    """One stage. ``topology`` is the run topology as plain data (scenario folded in)."""

    slug: str
    title: Texts
    body: Texts
    topology: dict[str, Any]
    goal: Goal
    solution: tuple[dict[str, Any], ...]
    duration_s: float = 40.0
    debrief: Texts | list[dict[str, Any]] = field(default_factory=dict)  # lessons.debriefs
    controls: tuple[str, ...] = ()
    predict: Predict | None = None
    hints: tuple[Texts, ...] = ()
    line: int = 0  # where the stage starts in its file
    fixed: tuple[str, ...] = ()  # what the run keeps as the stage set it (lessons.fixed)
    # shortcuts the plan allows (lessons.shortcuts), each with the author's reason
    allowed_shortcuts: dict[str, str] = field(default_factory=dict)
    # wrong answers the plan names (``shortcuts: [{try: NAME, actions: [...]}]``): each must
    # not meet the goal (lessons.shortcuts tries them with the generic ones)
    tries: tuple[tuple[str, tuple[dict[str, Any], ...]], ...] = ()
    # "try it": second scenarios with their own goals, in a stage's form (no experiments
    # of their own), offered once the stage's goal is met (lessons.experiment_format)
    experiments: tuple[Stage, ...] = ()

    def run_topology(self) -> Topology:
        """The topology the sandbox and the checker start from (scenario included)."""
        return load_topology(self.topology)

    def solution_commands(self) -> tuple[Command, ...]:
        return tuple(vocabulary.parse(a, f"solution[{i}]") for i, a in enumerate(self.solution))

    def experiment(self, slug: str) -> Stage:
        for experiment in self.experiments:
            if experiment.slug == slug:
                return experiment
        raise KeyError(slug)

    def as_data(self) -> dict[str, Any]:
        """The normalised content stored in ``lessons.models.Stage.data`` (an experiment's
        in its stage's ``experiments``, each with its ``slug``)."""
        data = self._own_data()
        if self.experiments:
            data["experiments"] = [{"slug": e.slug, **e._own_data()} for e in self.experiments]
        return data

    def _own_data(self) -> dict[str, Any]:
        return {
            "title": dict(self.title),
            "body": dict(self.body),
            "predict": self.predict.as_data() if self.predict else None,
            "goal": self.goal.as_data(),
            "hints": [dict(h) for h in self.hints],
            "debrief": self.debrief,
            "controls": list(self.controls),
            "fixed": list(self.fixed),
            "solution": [dict(a) for a in self.solution],
            "duration_s": self.duration_s,
            "topology": self.topology,
        }


@dataclass(frozen=True)
class Plan:
    slug: str
    title: Texts
    summary: Texts
    languages: tuple[str, ...]
    author: str
    license: str
    stages: tuple[Stage, ...]
    source: str = ""
    format: int = 1

    def stage(self, slug: str) -> Stage:
        for stage in self.stages:
            if stage.slug == slug:
                return stage
        raise KeyError(slug)
