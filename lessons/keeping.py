"""What is kept of a stage's live state besides its simulation (``architect.sandbox.keeping``):
the phase, the traffic the learner set, the runs and hints so far, a skipped question.

A run that was under way starts again from its beginning with the kept architecture (a
run is judged from simulated time 0); a finished one comes back as the architecture it
ran, paused, ready to run again; the result itself was saved as progress when met.
"""

from __future__ import annotations

from typing import Any

from architect.sandbox import keeping
from lessons.experiment import Experiment, Phase


def experiment_place(plan: str, stage: str, experiment: str) -> str:
    """Where a "try it" experiment's live state is kept (apart from its stage's)."""
    return keeping.stage_place(plan, f"{stage}/try/{experiment}")


def experiment_state(experiment: Experiment) -> dict[str, Any]:
    return {
        **keeping.session_state(experiment.session),
        "phase": experiment.phase.value,
        "learner_traffic": dict(experiment.learner_traffic),
        "runs": experiment.runs,
        "hints_shown": experiment.hints_shown,
        "skipped": experiment.skipped,
    }


def worth(state: dict[str, Any]) -> object:
    """The learner's own work: the architecture and the traffic they set (a run's traffic
    is the stage's, moved by its scripted events: not the learner's)."""
    topology = {k: v for k, v in state["topology"].items() if k != "traffic"}
    return topology, state["learner_traffic"]


def restore_experiment(experiment: Experiment, state: dict[str, Any]) -> bool:
    """Put a kept state into a fresh ``experiment``; False, changing nothing, when the
    state does not load."""
    try:
        phase = Phase(state["phase"])
        traffic = {str(k): float(v) for k, v in dict(state["learner_traffic"]).items()}
        runs, hints = int(state["runs"]), int(state["hints_shown"])
        skipped = state["skipped"] is True
    except (*keeping.UNREADABLE, AttributeError):
        return False
    if not keeping.restore_session(experiment.session, state):
        return False
    experiment.learner_traffic.update(traffic)
    experiment.runs, experiment.hints_shown = max(0, runs), min(max(0, hints), experiment.hints)
    if skipped and experiment.phase == Phase.PREDICT:
        experiment.predict(None)
    if phase == Phase.PREDICT or experiment.phase == Phase.PREDICT:
        experiment.session.paused = experiment.phase == Phase.PREDICT
        return True
    experiment.phase = Phase.EXPLORE
    if phase == Phase.RUNNING:
        paused = experiment.session.paused
        experiment.run()
        experiment.runs -= 1  # the same run, begun again
        experiment.session.paused = paused
    elif phase == Phase.DONE:
        experiment.session.paused = True
    return True
