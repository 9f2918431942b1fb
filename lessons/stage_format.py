"""Read one stage of a lesson plan: texts, topology (resolved), scenario, goal, solution.

``lessons.format`` reads the plan around it; problems go to its reader with their lines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from architect.sim.commands import Command, CommandError
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.problems import BETWEEN, Problem, TopologyError
from architect.sim.model.topology import Topology
from architect.sim.scenario import events_data, read_events
from architect.sim.text import N_
from architect.yamlmarks import join
from lessons import content, runs, vocabulary
from lessons.content import METRICS, NODE_METRICS, OPERATORS
from lessons.debriefs import read_debrief
from lessons.stage_rules import read_allowed, read_fixed, read_tries

if TYPE_CHECKING:
    from lessons.format import _Reader

MAX_HINTS = 10
MAX_CHOICES = 5
MAX_CONDITIONS = 20
MAX_ACTIONS = 50
DURATION_S = (5.0, 300.0)
_STAGE_KEYS = (
    "slug",
    "title",
    "body",
    "topology",
    "scenario",
    "controls",
    "predict",
    "goal",
    "hints",
    "debrief",
    "solution",
    "fixed",
    "shortcuts",
    "experiments",
)
_SCENARIO_KEYS = ("traffic", "events", "duration_s")
_PREDICT_KEYS = ("question", "choices", "answer", "estimate", "why")
_ESTIMATE_KEYS = ("answer", "tolerance", "unit")
_GOAL_KEYS = ("text", "from_s", "conditions")


def data_keys(raw: object) -> tuple[str, ...]:
    """The keys of ``raw`` when it is a mapping (else none)."""
    return tuple(str(k) for k in raw) if isinstance(raw, Mapping) else ()


class StageReader:
    """One stage: texts, topology (resolved), scenario, goal, solution, experiments."""

    KEYS: tuple[str, ...] = _STAGE_KEYS
    REQUIRED: tuple[str, ...] = ("slug", "title", "body", "topology", "goal", "solution")

    def __init__(
        self, reader: _Reader, path: str, previous: tuple[Topology, tuple[Command, ...]] | None
    ) -> None:
        self.r = reader
        self.path = path
        self.previous = previous

    def at(self, *parts: object) -> str:
        path = self.path
        for part in parts:
            path = join(path, part)
        return path

    def read(
        self, raw: object
    ) -> tuple[content.Stage | None, tuple[Topology, tuple[Command, ...]] | None]:
        """The stage, and (its starting topology, its solution) for the next ``from: previous``."""
        r = self.r
        before = len(r.problems)
        data = r.mapping(raw, self.path, self.KEYS, self.REQUIRED)
        if not data:
            return None, None
        slug = r.slug(data.get("slug"), self.at("slug"))
        title = r.texts(data.get("title"), self.at("title"))
        body = r.texts(data.get("body"), self.at("body"))
        debrief = read_debrief(r, data["debrief"], self.at("debrief")) if "debrief" in data else {}
        hints = (
            r.texts_list(data["hints"], self.at("hints"), 1, MAX_HINTS) if "hints" in data else ()
        )
        predict = self.predict(data["predict"]) if "predict" in data else None
        mark = len(r.problems)
        solution, commands = self.actions(data.get("solution"), self.at("solution"), low=1)
        solution_ok = len(r.problems) == mark
        controls = self.controls(data.get("controls"), solution)
        fixed = read_fixed(r, data.get("fixed"), self.at("fixed"), solution)
        allowed = read_allowed(r, data.get("shortcuts"), self.at("shortcuts"), len(solution))
        tries = read_tries(
            r,
            data.get("shortcuts"),
            self.at("shortcuts"),
            lambda a, p: self.actions(a, p, low=1)[0],
        )
        scenario = r.mapping(data.get("scenario", {}), self.at("scenario"), _SCENARIO_KEYS)
        duration = (
            r.number(scenario.get("duration_s", 40), self.at("scenario", "duration_s"), *DURATION_S)
            or 40.0
        )
        goal = self.goal(data.get("goal"), duration)
        start = self.topology(data.get("topology"))
        run = self.run_topology(start, scenario, duration) if start is not None else None
        if run is not None and commands:
            mark = len(r.problems)
            self.check_solution(run, commands)
            solution_ok = solution_ok and len(r.problems) == mark
        resolved = (start, commands) if start is not None and solution_ok else None
        experiments: tuple[content.Stage, ...] = ()
        if "experiments" in data and "experiments" in self.KEYS:
            experiments = self.experiments(data["experiments"], start, resolved)
        if len(r.problems) > before or goal is None or run is None or start is None:
            return None, resolved
        stage = content.Stage(
            slug=slug,
            title=title,
            body=body,
            topology=run,
            goal=goal,
            solution=solution,
            duration_s=duration,
            debrief=debrief,
            controls=controls,
            predict=predict,
            hints=hints,
            line=r.line(self.path),
            fixed=fixed,
            allowed_shortcuts=allowed,
            tries=tries,
            experiments=experiments,
        )
        return stage, resolved

    def experiments(
        self,
        raw: object,
        start: Topology | None,
        solved: tuple[Topology, tuple[Command, ...]] | None,
    ) -> tuple[content.Stage, ...]:
        """The stage's "try it" experiments (``lessons.experiment_format``)."""
        from lessons.experiment_format import read_experiments  # it builds on this module

        return read_experiments(self.r, self.at("experiments"), raw, start, solved)

    def predict(self, raw: object) -> content.Predict | None:
        r, path = self.r, self.at("predict")
        required = ("question", "estimate", "why") if "estimate" in data_keys(raw) else ()
        data = r.mapping(
            raw, path, _PREDICT_KEYS, required or ("question", "choices", "answer", "why")
        )
        if not data:
            return None
        if "estimate" in data:
            return self.estimate_question(data, path)
        choices = r.texts_list(data.get("choices"), join(path, "choices"), 2, MAX_CHOICES)
        answer = data.get("answer")
        if (
            isinstance(answer, bool)
            or not isinstance(answer, int)
            or not 0 <= answer < max(len(choices), 2)
        ):
            last = max(len(choices), 2) - 1
            r.problem(
                join(path, "answer"), N_("must be the index of a choice: 0 to %(last)s"), last=last
            )
            answer = 0
        return content.Predict(
            question=r.texts(data.get("question"), join(path, "question")),
            choices=choices,
            answer=answer,
            why=r.texts(data.get("why"), join(path, "why")),
        )

    def estimate_question(self, data: dict[str, Any], path: str) -> content.Predict:
        """A numeric prediction: no choices, a number to estimate within a tolerance."""
        r = self.r
        for key in ("choices", "answer"):
            if key in data:
                r.problem(
                    join(path, key), N_("a question with an estimate has no %(field)s"), field=key
                )
        where = join(path, "estimate")
        raw = r.mapping(data["estimate"], where, _ESTIMATE_KEYS, _ESTIMATE_KEYS)
        answer = r.number(
            raw.get("answer", 1), join(where, "answer"), 1, content.MAX_ESTIMATE, whole=True
        )
        tolerance = r.number(raw.get("tolerance", 0), join(where, "tolerance"), 0, 1)
        estimate = content.Estimate(
            answer=int(answer or 1),
            tolerance=tolerance or 0.0,
            unit=r.texts(raw.get("unit"), join(where, "unit")) if raw else {},
        )
        return content.Predict(
            question=r.texts(data.get("question"), join(path, "question")),
            choices=(),
            answer=0,
            why=r.texts(data.get("why"), join(path, "why")),
            estimate=estimate,
        )

    def goal(self, raw: object, duration: float) -> content.Goal | None:
        r, path = self.r, self.at("goal")
        data = r.mapping(raw, path, _GOAL_KEYS, ("text", "conditions"))
        if not data:
            return None
        text = r.texts(data.get("text"), join(path, "text"))
        from_s = r.number(data.get("from_s", 5), join(path, "from_s"), 0, duration - 1)
        items = data.get("conditions")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_CONDITIONS:
            r.problem(
                join(path, "conditions"),
                N_("must be a list of 1 to %(limit)s conditions"),
                limit=MAX_CONDITIONS,
            )
            return None
        conditions = [
            self.condition(item, join(join(path, "conditions"), i)) for i, item in enumerate(items)
        ]
        if from_s is None or any(c is None for c in conditions):
            return None
        return content.Goal(text=text, conditions=tuple(c for c in conditions if c), from_s=from_s)

    def condition(self, raw: object, path: str) -> content.Condition | None:
        r = self.r
        data = r.mapping(raw, path, ("metric", "node", *OPERATORS), ("metric",))
        if not data:
            return None
        metric = data.get("metric")
        ok = True
        if metric not in METRICS:
            r.problem(
                join(path, "metric"),
                N_('unknown metric "%(metric)s" (known: %(known)s)'),
                metric=str(metric),
                known=", ".join(METRICS),
            )
            ok = False
        node = data.get("node", "")
        if metric in NODE_METRICS and not node:
            r.problem(
                join(path, "node"),
                N_("is required for %(metric)s: which node's"),
                metric=str(metric),
            )
            ok = False
        elif node and metric not in NODE_METRICS:
            r.problem(
                join(path, "node"),
                N_("only %(metrics)s take a node"),
                metrics=" and ".join(NODE_METRICS),
            )
            ok = False
        elif node and not isinstance(node, str):
            r.problem(join(path, "node"), N_("must be a node id"))
            ok = False
        operators = [op for op in OPERATORS if op in data]
        if len(operators) != 1:
            r.problem(
                path,
                N_("needs exactly one of %(operators)s (has %(count)s)"),
                operators=", ".join(OPERATORS),
                count=len(operators),
            )
            return None
        threshold = r.number(data[operators[0]], join(path, operators[0]), -1e12, 1e12)
        if threshold is None or not ok:
            return None
        return content.Condition(str(metric), operators[0], threshold, str(node))

    def actions(
        self, raw: object, path: str, *, low: int
    ) -> tuple[tuple[dict[str, Any], ...], tuple[Command, ...]]:
        """Action mappings (section 1 of the contracts) and their commands."""
        if not isinstance(raw, list) or not low <= len(raw) <= MAX_ACTIONS:
            self.r.problem(
                path,
                N_("must be a list of %(low)s to %(high)s actions, like [{action: add_cache}]"),
                low=low,
                high=MAX_ACTIONS,
            )
            return (), ()
        mappings, commands = [], []
        for index, item in enumerate(raw):
            try:
                commands.append(vocabulary.parse(item, join(path, index)))
                mappings.append({str(k): v for k, v in item.items()})
            except vocabulary.ActionProblem as error:
                for problem in error.problems:
                    self.r.add(problem.path, problem.reason, problem.params)
        return tuple(mappings), tuple(commands)

    def controls(self, raw: object, solution: tuple[dict[str, Any], ...]) -> tuple[str, ...]:
        if raw is None:  # default: the actions the solution uses
            return tuple(dict.fromkeys(str(a["action"]) for a in solution))
        path = self.at("controls")
        if not isinstance(raw, list):
            self.r.problem(path, N_("must be a list of action names, like [add_web_server, fail]"))
            return ()
        for index, name in enumerate(raw):
            if name not in vocabulary.ACTIONS:
                self.r.problem(
                    join(path, index), N_('unknown action "%(action)s"'), action=str(name)
                )
        return tuple(dict.fromkeys(str(n) for n in raw))

    def topology(self, raw: object) -> Topology | None:
        """The stage's starting topology (without the scenario)."""
        path = self.at("topology")
        if isinstance(raw, Mapping) and "from" in raw:
            return self.from_previous(raw, path)
        try:
            return load_topology(raw)
        except TopologyError as error:
            for problem in error.problems:
                where = path if problem.path == "(top)" else join(path, problem.path)
                self.r.add(where, problem.reason, problem.params)
            return None

    def from_previous(self, raw: Mapping[str, Any], path: str) -> Topology | None:
        data = self.r.mapping(raw, path, ("from", "changes"), ("from",))
        if data.get("from") != "previous":
            self.r.problem(join(path, "from"), N_('must be "previous" (or give a full topology)'))
            return None
        changes: tuple[Command, ...] = ()
        if "changes" in data:
            _mappings, changes = self.actions(data["changes"], join(path, "changes"), low=0)
        if self.previous is None:
            first = self.path == "stages[0]"
            reason = (
                N_("the first stage needs a full topology")
                if first
                else N_("the previous stage has problems (fix them first)")
            )
            self.r.problem(join(path, "from"), reason)
            return None
        topology, solution = self.previous
        try:
            topology = runs.applied(topology, solution)
        except CommandError as error:  # the previous stage reports its own solution problem
            reason = N_("the previous stage's solution cannot be applied: %(error)s")
            self.r.problem(join(path, "from"), reason, error=error)
            return None
        try:
            return runs.applied(topology, changes)
        except CommandError as error:
            index = getattr(error, "index", 0)
            self.r.problem(
                join(join(path, "changes"), index),
                N_("cannot be carried out: %(error)s"),
                error=error,
            )
            return None

    def run_topology(
        self, start: Topology, scenario: dict[str, Any], duration: float
    ) -> dict[str, Any] | None:
        """The engine's plain data for a run: the start, the scenario's traffic and events."""
        data = dump_topology(start)
        own_events = data.pop("events", [])
        traffic = scenario.get("traffic", {})
        if not isinstance(traffic, Mapping):
            self.r.problem(
                self.at("scenario", "traffic"),
                N_("must be a mapping of traffic fields, like {rps: 200}"),
            )
            return None
        data["traffic"] = {**data["traffic"], **traffic}
        events = self.events(scenario.get("events", []), duration)
        if events is None:
            return None
        try:
            load_topology(data)
        except TopologyError as error:
            for problem in error.problems:
                key = problem.path.removeprefix("traffic.")
                if problem.path.startswith("traffic.") and key in traffic:
                    self.r.add(self.at("scenario", "traffic", key), problem.reason, problem.params)
                else:
                    where = self.at("topology")
                    self.r.add(
                        where, problem.reason, problem.params, shown=f"{where}: {problem.path}"
                    )
            return None
        if own_events or events:
            data["events"] = [*own_events, *events]
        return data

    def events(self, raw: object, duration: float) -> list[dict[str, Any]] | None:
        """The scenario's events (the engine's format, shorthands too), within the run."""
        path = self.at("scenario")
        problems: list[Problem] = []
        events = read_events(raw, problems)
        for problem in problems:
            self.r.add(join(path, problem.path), problem.reason, problem.params)
        late = (
            [
                i
                for i, e in enumerate(raw)
                if isinstance(e, Mapping) and _number(e.get("at")) > duration
            ]
            if isinstance(raw, list)
            else []
        )
        for index in late:
            self.r.problem(
                join(join(join(path, "events"), index), "at"),
                BETWEEN,
                low="0",
                high=f"{duration:g}",
            )
        if problems or late:
            return None
        return sorted(events_data(events), key=lambda e: float(e["at"]))

    def check_solution(self, run: dict[str, Any], commands: tuple[Command, ...]) -> None:
        try:
            runs.applied(load_topology(run), commands)
        except CommandError as error:
            index = getattr(error, "index", 0)
            self.r.problem(
                self.at("solution", index),
                N_("cannot be carried out on the stage's topology: %(error)s"),
                error=error,
            )


def _number(raw: object) -> float:
    ok = isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw)
    return float(raw) if ok else 0.0  # type: ignore[arg-type]
