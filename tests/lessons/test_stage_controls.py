"""A stage carries out only the actions it offers (#8.6): on every shipped stage, each
engine action outside its controls is refused with ``not_offered`` and changes nothing;
the session's controls and the lesson's own commands stay open."""

from __future__ import annotations

from typing import Any

import pytest

from architect.sim.actions import ENGINE_ACTIONS, read, stage_actions
from architect.sim.commands import CommandError, Pause, Resume, SetSpeed, ShowHint
from lessons.experiment import Experiment
from lessons.format import load_plan
from lessons.plans import plan_files

# One well-formed message for each engine action (the node and center names may not exist:
# a stage must refuse the action before the engine looks at them).
SAMPLES: dict[str, dict[str, Any]] = {
    "set_traffic": {"rps": 123},
    "set_traffic_mix": {"read_ratio": 0.5},
    "add_web_server": {},
    "remove_web_server": {},
    "add_load_balancer": {},
    "separate_database": {},
    "add_cache": {},
    "set_cache": {"ttl_s": 5},
    "add_replica": {},
    "add_cdn": {},
    "purge_cdn": {},
    "version_assets": {},
    "set_cdn": {"assets": 0.01},
    "add_session_store": {},
    "set_balancing": {"algorithm": "least_connections"},
    "set_autoscaling": {"enabled": True},
    "set_operations": {"monitoring": True, "automation": True},
    "add_shard": {},
    "denormalise": {},
    "isolate_hot_key": {},
    "add_message_queue": {},
    "set_workers": {"node": "workers", "workers": 3},
    "resize": {"node": "web-1", "size": "xl"},
    "fail": {"node": "web-1"},
    "restore": {"node": "web-1"},
    "add_data_center": {"region": "asia"},
    "fail_data_center": {"center": "us-east"},
    "restore_data_center": {"center": "us-east"},
    "set_sync": {"mode": "async"},
}
STAGES = load_plan(plan_files()[0].read_text(encoding="utf-8"), source="plan").stages


def command(name: str) -> Any:
    problems: list[Any] = []
    made = read({"action": name, **SAMPLES[name]}, "message", problems, accepts=ENGINE_ACTIONS)
    assert made is not None and not problems, problems
    return made


def test_every_engine_action_has_a_sample():
    assert set(SAMPLES) == set(ENGINE_ACTIONS)


def test_a_stage_without_controls_offers_every_action():
    assert stage_actions(None) >= set(ENGINE_ACTIONS)
    assert stage_actions(["fail"]) & set(ENGINE_ACTIONS) == {"fail"}


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.slug)
def test_a_stage_refuses_every_action_it_does_not_offer_and_changes_nothing(stage):
    lab = Experiment(stage.as_data())
    lab.predict(None)
    lab.session.step(0.4)
    refused = [name for name in ENGINE_ACTIONS if name not in stage.controls]
    assert refused, "a stage that offers everything has nothing to refuse"
    before = lab.session.sim.current_topology()
    for name in refused:
        with pytest.raises(CommandError) as error:
            lab.apply(command(name))
        assert (error.value.code, error.value.params["action"]) == ("not_offered", name)
    assert lab.session.sim.current_topology() == before and lab.learner_traffic == {}
    for control in (Pause(), Resume(), SetSpeed(5), ShowHint()):
        lab.apply(control)  # the session's controls and the lesson's own stay open
    assert lab.session.speed == 5


def test_an_offered_action_is_carried_out():
    stage = STAGES[0]
    assert "set_traffic" in stage.controls
    lab = Experiment(stage.as_data())
    lab.apply(command("set_traffic"))
    assert lab.session.sim.current_topology().traffic.rps == 123
