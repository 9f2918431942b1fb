"""One learner's go at one stage: predict, explore, run the experiment, see the result.

No database here (the consumer saves progress): an ``Experiment`` owns the sandbox's
``LiveSession`` and, while a run lasts, a ``GoalTracker`` fed with every snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import Any

from architect.sandbox.live import LiveSession
from architect.sim.actions import Action, action_name, stage_actions
from architect.sim.commands import (
    Command,
    CommandError,
    Control,
    Predict,
    Record,
    Reset,
    RestoreDataCenter,
    RestoreNode,
    Resume,
    RunExperiment,
    SetTraffic,
    SetTrafficMix,
    ShowHint,
    SkipPrediction,
)
from architect.sim.loader import load_topology
from architect.sim.model.topology import Topology
from architect.sim.snapshot import Snapshot
from lessons import fixed as fixing
from lessons.content import MAX_ESTIMATE, guess_fits
from lessons.debriefs import RunFacts
from lessons.goals import GoalStatus, GoalTracker

DEFAULT_DURATION_S = 40.0


class Phase(StrEnum):
    PREDICT = "predict"  # paused until the learner answers (or skips) the question
    EXPLORE = "explore"  # the stage's topology runs; the learner changes the architecture
    RUNNING = "running"  # the experiment: goal conditions checked every simulated second
    DONE = "done"  # the run ended; paused, with the result and the debrief or a retry


def noting_traffic(
    on_traffic: Callable[[dict[str, float]], None],
) -> Callable[[Command | Control], None]:
    """Tells ``on_traffic`` the traffic fields a command the session carried out set."""

    def note(command: Command | Control) -> None:
        if isinstance(command, SetTraffic):
            on_traffic({"rps": command.rps})
        elif isinstance(command, SetTrafficMix):
            fields = {
                "read_ratio": command.read_ratio,
                "static_ratio": command.static_ratio,
                "zipf_s": command.zipf_s,
            }
            on_traffic({k: v for k, v in fields.items() if v is not None})

    return note


class LessonSession(LiveSession):
    """The sandbox's session, telling the experiment what traffic the learner set.

    Scripted events change the traffic inside the engine and are not reported: only
    the learner's own ``set_traffic`` and ``set_traffic_mix`` carry over to a run.
    """

    def __init__(
        self, topology: Topology, seed: int, on_traffic: Callable[[dict[str, float]], None]
    ) -> None:
        super().__init__(lambda: topology, seed)
        self._note = noting_traffic(on_traffic)

    def apply(self, command: Command | Control) -> None:
        super().apply(command)
        self._note(command)


# Builds a stage's session: (topology, seed, on_traffic) → a ``LessonSession`` here, or
# a ``RemoteSession`` stepped in a worker process (``architect.sandbox.workers``).
NewSession = Callable[[Topology, int, Callable[[dict[str, float]], None]], Any]


class Experiment:
    """The live state of one stage page (``data`` is ``Stage.data``)."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        prediction: int | None = None,
        seed: int = 1,
        new_session: NewSession | None = None,
    ) -> None:
        self.data = data
        self.new_session: NewSession = new_session or LessonSession
        self.seed = seed
        # What the stage offers (its controls), checked here, not only by the page's forms.
        self.accepts = stage_actions(data.get("controls") or None)
        self.start: Topology = load_topology(data["topology"])
        self.prediction = prediction
        self.skipped = False
        self.hints_shown = 0
        self.tracker: GoalTracker | None = None
        self.result: GoalStatus | None = None  # the last observed status of the current run
        self.runs = 0
        self.learner_traffic: dict[str, float] = {}  # traffic fields the learner set
        self.fixed: tuple[str, ...] = tuple(data.get("fixed") or ())  # lessons.fixed
        self.facts = RunFacts()  # what the current run did, for the debrief
        self.session = self._session(self.start)
        self.phase = Phase.PREDICT if self.asks and prediction is None else Phase.EXPLORE
        self.session.paused = self.phase == Phase.PREDICT

    @property
    def asks(self) -> bool:
        """True when the stage has a prediction question."""
        return bool(self.data.get("predict"))

    @property
    def hints(self) -> int:
        return len(self.data.get("hints") or [])

    @property
    def duration_s(self) -> float:
        return float(self.data.get("duration_s") or DEFAULT_DURATION_S)

    @property
    def met(self) -> bool:
        return self.phase == Phase.DONE and self.result is not None and self.result.met

    def _session(self, topology: Topology) -> Any:
        old = getattr(self, "session", None)
        session = self.new_session(topology, self.seed, self.learner_traffic.update)
        if old is not None:
            session.speed, session.hidden, session.cost = old.speed, old.hidden, old.cost
            old.close()
        return session

    def apply(self, command: Action) -> None:
        """Carry out one command of a stage's socket; ``CommandError`` when it is refused.

        The lesson's own commands, ``Reset`` (back to the stage's start) and ``Resume``
        (not before the question is answered) are the experiment's; the rest go to the
        live session. An action the stage does not offer is refused and changes nothing.
        """
        name = action_name(command)
        if name not in self.accepts:
            raise CommandError("not_offered", f'this stage does not offer "{name}"', action=name)
        if isinstance(command, Predict):
            predict = self.data.get("predict") or {}
            if predict.get("estimate") and not guess_fits(predict, command.choice):
                raise CommandError(
                    "bad_estimate",
                    f"estimate a whole number from 0 to {MAX_ESTIMATE}",
                    limit=MAX_ESTIMATE,
                )
            count = len(predict.get("choices") or [])
            if not guess_fits(predict, command.choice):
                raise CommandError("bad_choice", f"choose one of the {count} answers", count=count)
            self.predict(command.choice)
        elif isinstance(command, SkipPrediction):
            self.predict(None)
        elif isinstance(command, RunExperiment):
            self.run()
        elif isinstance(command, ShowHint):
            self.hint()
        elif isinstance(command, Reset):
            self.restart()
        elif isinstance(command, Resume) and self.phase == Phase.PREDICT:
            raise CommandError("answer_first", "answer the question first, or skip it")
        else:
            assert not isinstance(command, Record)  # not a stage's action: refused above
            self.apply_to_session(command)

    def apply_to_session(self, command: Command | Control) -> None:
        """During a run: refuse what the stage fixes, note the learner's own repairs."""
        running = self.phase == Phase.RUNNING
        if running:
            fixing.check_in_run(self.fixed, action_name(command))
        self.session.apply(command)
        if running and isinstance(command, (RestoreNode, RestoreDataCenter)):
            self.facts.learner_restored()

    def predict(self, choice: int | None) -> None:
        """Record the answer (None: skipped) and let the simulation run."""
        if choice is None:
            self.skipped = True
        else:
            self.prediction = choice
        if self.phase == Phase.PREDICT:
            self.phase = Phase.EXPLORE
            self.session.paused = False

    def run(self) -> None:
        """Start the experiment with the learner's architecture as it is now, under the
        stage's own traffic and scripted events, from simulated time 0.

        What the learner changed stays changed, as when ``check_lessons`` applies a
        solution at t = 0: the traffic fields they set (unless the stage fixes its
        traffic), the regions a new data center added, the data's layout (its shards,
        denormalised or not, are the architecture's); what scripted events did to the
        traffic does not.
        """
        if self.phase == Phase.PREDICT:
            self.predict(None)
        now = self.session.sim.current_topology()
        own = {} if "traffic" in self.fixed else self.learner_traffic
        traffic = replace(
            self.start.traffic,
            **own,  # type: ignore[arg-type]
            regions=now.traffic.regions,
        )
        topology = replace(now, traffic=traffic, events=self.start.events)
        self.session = self._session(topology)
        goal = self.data.get("goal") or {}
        self.tracker = GoalTracker(goal, duration_s=self.duration_s)
        self.result = None
        self.facts = RunFacts()
        self.runs += 1
        self.phase = Phase.RUNNING

    def restart(self) -> None:
        """Back to the stage's starting architecture (the sandbox's Reset)."""
        self.learner_traffic.clear()
        self.session = self._session(self.start)
        self.tracker, self.result = None, None
        if self.phase != Phase.PREDICT:
            self.phase = Phase.EXPLORE

    def resumed(self) -> None:
        """The session went on from its checkpoint at time 0 (its worker process died):
        a run under way begins again, as a kept one does (``lessons.keeping``)."""
        if self.phase == Phase.RUNNING:
            paused = self.session.paused
            self.run()
            self.runs -= 1  # the same run, begun again
            self.session.paused = paused

    def hint(self) -> None:
        """Reveal one more hint."""
        self.hints_shown = min(self.hints_shown + 1, self.hints)

    def observe(self, snapshot: Snapshot) -> bool:
        """Feed the tracker; True exactly when this snapshot ends the run."""
        if self.phase != Phase.RUNNING or self.tracker is None:
            return False
        self.result = self.tracker.observe(snapshot)
        self.facts.observe(snapshot)
        if not self.result.done:
            return False
        self.phase = Phase.DONE
        self.session.paused = True
        return True
