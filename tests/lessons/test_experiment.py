"""Experiment: the lesson's commands, and a run that keeps the learner's changes, not scripted ones."""

from __future__ import annotations

from typing import Any

import pytest

from architect.sim.commands import (
    AddDataCenter,
    AddShard,
    CommandError,
    Denormalise,
    Predict,
    Reset,
    Resume,
    RunExperiment,
    SetTraffic,
    SetTrafficMix,
    ShowHint,
    SkipPrediction,
)
from architect.sim.loader import dump_topology, load_topology
from lessons.experiment import Experiment, Phase

ONE_CENTER: dict[str, Any] = {
    "version": 1,
    "name": "One center",
    "traffic": {"rps": 100, "read_ratio": 0.8, "regions": {"us-east": 0.5, "asia": 0.5}},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "lb", "kind": "load_balancer", "dc": "us-east"},
        {"id": "web-1", "kind": "web_server", "dc": "us-east", "size": "m"},
        {"id": "db", "kind": "database", "dc": "us-east", "size": "m"},
    ],
    "links": [["dns", "lb"], ["lb", "web-1"], ["web-1", "db"]],
    "events": [{"at": 1, "action": "set_traffic", "rps": 300}],
}


def experiment() -> Experiment:
    goal = {"conditions": [{"metric": "error_rate", "below": 0.01}]}
    data = {"topology": dump_topology(load_topology(ONE_CENTER)), "duration_s": 10, "goal": goal}
    return Experiment(data)


def test_a_run_keeps_the_traffic_the_learner_set():
    lab = experiment()
    lab.session.apply(SetTraffic(250.0))
    lab.session.apply(SetTrafficMix(read_ratio=0.6))
    lab.run()
    traffic = lab.session.sim.current_topology().traffic
    assert (traffic.rps, traffic.read_ratio) == (250.0, 0.6)


def test_a_run_starts_from_the_stage_traffic_not_what_a_scripted_event_set():
    lab = experiment()
    lab.session.step(2.0)  # the scripted event at 1 s raises the traffic to 300
    assert lab.session.sim.current_topology().traffic.rps == 300.0
    lab.run()
    assert lab.session.sim.current_topology().traffic.rps == 100.0
    assert lab.session.sim.now == 0.0


def test_a_run_keeps_a_new_data_center_and_reset_forgets_the_learner_traffic():
    lab = experiment()
    lab.session.apply(SetTraffic(250.0))
    lab.session.apply(AddDataCenter(region="asia"))
    lab.run()
    now = lab.session.sim.current_topology()
    assert {n.dc for n in now.nodes if n.dc} == {"us-east", "asia"}
    assert dict(now.traffic.regions) == {"us-east": 0.5, "asia": 0.5}
    lab.restart()
    lab.run()
    assert lab.session.sim.current_topology().traffic.rps == 100.0


SHARDED: dict[str, Any] = {
    "version": 1,
    "name": "Two shards whose reads join across them",
    "traffic": {"rps": 100, "read_ratio": 0.8, "cross_shard_ratio": 0.8},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "web-1", "kind": "web_server", "size": "m"},
        {"id": "db", "kind": "database", "size": "m"},
    ],
    "links": [["dns", "web-1"], ["web-1", "db"]],
}


def test_a_run_with_fixed_traffic_keeps_the_learner_s_denormalisation():
    goal = {"conditions": [{"metric": "error_rate", "below": 0.01}]}
    topology = dump_topology(load_topology(SHARDED))
    data = {"topology": topology, "duration_s": 10, "goal": goal, "fixed": ["traffic"]}
    lab = Experiment(data)
    lab.session.apply(AddShard())
    lab.session.apply(Denormalise())
    lab.run()
    sim = lab.session.sim
    # The scenario's queries still join across shards; the data now keeps them in one.
    assert sim.current_topology().traffic.cross_shard_ratio == 0.8
    assert sim.current_topology().sharding.denormalised
    assert sim.shares().fan_out == 0.0


def asking() -> Experiment:
    goal = {"conditions": [{"metric": "error_rate", "below": 0.01}]}
    question = {"question": {"en": "?"}, "choices": [{"en": "A"}, {"en": "B"}], "answer": 1}
    data = {
        "topology": dump_topology(load_topology(ONE_CENTER)),
        "duration_s": 10,
        "goal": goal,
        "predict": question,
        "hints": [{"en": "one"}],
    }
    return Experiment(data)


def phase(lab: Experiment) -> Phase:
    """The phase now (a function, so a type checker does not keep an earlier one)."""
    return lab.phase


def test_apply_carries_out_the_lesson_commands_and_refuses_what_the_stage_cannot_take():
    lab = asking()
    with pytest.raises(CommandError) as early:
        lab.apply(Resume())
    assert early.value.code == "answer_first" and phase(lab) == Phase.PREDICT
    with pytest.raises(CommandError) as bad:
        lab.apply(Predict(2))
    assert bad.value.code == "bad_choice" and bad.value.params["count"] == 2
    lab.apply(Predict(1))
    assert (phase(lab), lab.prediction, lab.session.paused) == (Phase.EXPLORE, 1, False)
    lab.apply(ShowHint())
    lab.apply(ShowHint())  # there is only one
    assert lab.hints_shown == 1
    lab.apply(SetTraffic(250.0))  # an engine command goes to the live session
    assert lab.learner_traffic == {"rps": 250.0}
    lab.apply(RunExperiment())
    assert phase(lab) == Phase.RUNNING and lab.runs == 1
    lab.apply(Reset())  # in a lesson: back to the stage's start
    assert phase(lab) == Phase.EXPLORE and lab.learner_traffic == {}
    assert lab.session.sim.current_topology().traffic.rps == 100.0


def test_skipping_the_question_lets_the_simulation_run():
    lab = asking()
    lab.apply(SkipPrediction())
    assert (phase(lab), lab.skipped, lab.session.paused) == (Phase.EXPLORE, True, False)
