"""The action vocabulary: plain mappings to commands and back, every problem named."""

from __future__ import annotations

from typing import Any

import pytest

from architect.sim import commands as c
from architect.sim.actions import (
    ACTIONS,
    ENGINE_ACTIONS,
    LESSON_ACTIONS,
    SANDBOX_ACTIONS,
    action_data,
    fields,
    limits,
    parse_action,
    parse_actions,
    read,
)
from architect.sim.model.problems import Problem, TopologyError

EVERY_ACTION: list[dict[str, Any]] = [
    {"action": "set_traffic", "rps": 5000.0},
    {"action": "set_traffic_mix", "read_ratio": 0.9, "static_ratio": 0.2, "zipf_s": 1.0},
    {"action": "set_traffic_mix", "zipf_s": 2.5},
    {"action": "add_web_server"},
    {"action": "remove_web_server", "node": "web-2"},
    {"action": "remove_web_server"},
    {"action": "add_load_balancer"},
    {"action": "separate_database"},
    {"action": "add_cache"},
    {"action": "set_cache", "ttl_s": 3.0, "eviction": "lfu"},
    {"action": "set_cache", "eviction": "fifo"},
    {"action": "add_replica"},
    {"action": "add_cdn"},
    {"action": "purge_cdn"},
    {"action": "version_assets"},
    {"action": "set_cdn", "assets": 0.01},
    {"action": "denormalise"},
    {"action": "isolate_hot_key"},
    {"action": "add_session_store"},
    {"action": "set_balancing", "algorithm": "sticky"},
    {"action": "set_autoscaling", "enabled": True, "min": 2, "max": 10, "target_utilization": 0.6},
    {"action": "set_operations", "monitoring": True, "automation": True},
    {"action": "add_shard", "strategy": "modulo"},
    {"action": "add_message_queue"},
    {"action": "set_workers", "node": "jobs", "workers": 8},
    {"action": "resize", "node": "web-1", "size": "xl"},
    {"action": "fail", "node": "web-1"},
    {"action": "restore", "node": "web-1"},
    {"action": "add_data_center", "region": "asia"},
    {"action": "add_data_center", "region": "europe", "center": "asia"},
    {"action": "fail_data_center", "center": "us-east"},
    {"action": "restore_data_center", "center": "us-east"},
    {"action": "set_sync", "mode": "sync"},
]


def _problems(items: object, path: str = "solution") -> list[str]:
    with pytest.raises(TopologyError) as caught:
        parse_actions(items, path)
    return [str(problem) for problem in caught.value.problems]


def test_the_examples_cover_every_action():
    assert {data["action"] for data in EVERY_ACTION} == set(ACTIONS)
    assert len(ACTIONS) == 29


@pytest.mark.parametrize("data", EVERY_ACTION, ids=lambda d: str(d["action"]))
def test_every_action_goes_to_a_command_and_back(data):
    command = parse_action(data, "x")
    assert action_data(command) == data
    assert parse_action(action_data(command), "x") == command


def test_actions_build_the_commands_the_engine_knows():
    assert parse_action({"action": "fail", "node": "web-1"}, "x") == c.FailNode("web-1")
    assert parse_action({"action": "set_traffic", "rps": 50}, "x") == c.SetTraffic(50.0)
    assert parse_action({"action": "resize", "node": "db", "size": "l"}, "x") == c.ResizeNode(
        "db", "l"
    )
    assert parse_action({"action": "add_shard"}, "x") == c.AddShard("consistent_hash")
    assert parse_action({"action": "set_autoscaling", "enabled": False}, "x") == c.SetAutoscaling(
        False
    )
    assert parse_action({"action": "set_traffic_mix", "read_ratio": 1}, "x") == c.SetTrafficMix(
        read_ratio=1.0
    )


def test_an_unknown_or_missing_action_is_named():
    assert _problems([{"action": "add_webserver"}, {"node": "web-1"}, "fail", {"action": 3}]) == [
        'solution[0].action: unknown action "add_webserver"',
        "solution[1].action: is missing",
        "solution[2]: must be a mapping with an action, like {action: add_web_server}",
        'solution[3].action: unknown action "3"',
    ]


def test_every_problem_is_reported_at_once_with_its_path():
    items = [
        {"action": "fail", "nodes": "web-1"},
        {"action": "resize", "node": "Web 1", "size": "xxl"},
        {"action": "set_traffic", "rps": 1e9},
        {"action": "set_traffic", "rps": "lots"},
        {"action": "set_workers", "node": "jobs", "workers": 2.5},
        {"action": "set_workers", "node": "jobs", "workers": 1000},
        {"action": "set_balancing", "algorithm": "random"},
        {"action": "add_shard", "strategy": "none"},
        {"action": "set_operations", "monitoring": "yes", "automation": False},
        {"action": "set_autoscaling", "enabled": True, "min": 5, "max": 3},
        {"action": "set_autoscaling", "enabled": True, "max": 21, "target_utilization": 0.99},
        {"action": "set_traffic_mix", "read_ratio": 1.5, "zipf_s": 4},
        {"action": "fail_data_center"},
    ]
    assert _problems(items, "events") == [
        "events[0].nodes: is not a field of fail",
        "events[0].node: is missing",
        "events[1].node: must be a node id (1–32 lower-case letters, digits or dashes)",
        "events[1].size: must be one of s, m, l, xl",
        "events[2].rps: must be between 0 and 1000000",
        "events[3].rps: must be a number",
        "events[4].workers: must be a whole number",
        "events[5].workers: must be between 1 and 256",
        "events[6].algorithm: must be one of round_robin, least_connections, sticky",
        "events[7].strategy: must be one of modulo, consistent_hash",
        "events[8].monitoring: must be true or false",
        "events[9].min: must not be above max",
        "events[10].max: must be between 1 and 20",
        "events[10].target_utilization: must be between 0.05 and 0.95",
        "events[11].read_ratio: must be between 0 and 1",
        "events[11].zipf_s: must be between 0 and 3",
        "events[12].center: is missing",
    ]


def test_parse_action_raises_with_the_problems_of_one_action():
    with pytest.raises(TopologyError) as caught:
        parse_action({"action": "restore", "node": ""}, "stages[1].solution[0]")
    assert [str(p) for p in caught.value.problems] == [
        "stages[1].solution[0].node: must be a node id (1–32 lower-case letters, digits or dashes)"
    ]


def test_a_list_is_required():
    assert _problems({"action": "add_cache"}) == ["solution: must be a list of actions"]
    assert parse_actions([], "solution") == ()


def _read(
    data: dict[str, Any], accepts: tuple[str, ...] = LESSON_ACTIONS, form: bool = True
) -> tuple[object, list[str]]:
    problems: list[Problem] = []
    command = read(data, "message", problems, accepts=accepts, form=form)
    return command, [str(p) for p in problems]


def test_each_use_accepts_its_own_subset():
    assert set(ENGINE_ACTIONS) < set(SANDBOX_ACTIONS) < set(LESSON_ACTIONS)
    assert set(SANDBOX_ACTIONS) - set(ENGINE_ACTIONS) == {
        *("pause", "resume", "speed", "reset"),
        *("page_hidden", "page_shown"),  # sent by the page's script
    }
    assert set(LESSON_ACTIONS) - set(SANDBOX_ACTIONS) == {
        "predict",
        "skip_prediction",
        "run",
        "hint",
    }
    assert ACTIONS == ENGINE_ACTIONS
    assert _problems([{"action": "pause"}]) == ['solution[0].action: unknown action "pause"']
    assert _read({"action": "hint"}, SANDBOX_ACTIONS)[1] == [
        'message.action: unknown action "hint"'
    ]
    assert _read({"action": "hint"}) == (c.ShowHint(), [])


@pytest.mark.parametrize(
    ("data", "command"),
    [
        ({"action": "pause"}, c.Pause()),
        ({"action": "resume"}, c.Resume()),
        ({"action": "speed", "speed": 5}, c.SetSpeed(5)),
        ({"action": "reset"}, c.Reset()),
        ({"action": "predict", "choice": 2}, c.Predict(2)),
        ({"action": "skip_prediction"}, c.SkipPrediction()),
        ({"action": "run"}, c.RunExperiment()),
        ({"action": "hint"}, c.ShowHint()),
    ],
)
def test_session_and_lesson_actions_are_plain_commands_too(data, command):
    assert _read(data, form=False) == (command, [])
    assert action_data(command) == data


def test_a_form_sends_strings_checkboxes_and_percentages():
    assert _read(
        {
            "action": "set_autoscaling",
            "enabled": "on",
            "min": "3",
            "max": "12.0",
            "target_percent": "5",
        }
    ) == (c.SetAutoscaling(True, 3, 12, 0.05), [])
    assert _read({"action": "set_autoscaling"}) == (c.SetAutoscaling(False), [])  # unticked
    assert _read({"action": "set_operations", "monitoring": "on", "automation": ""}) == (
        c.SetOperations(True, False),
        [],
    )
    assert _read({"action": "set_traffic_mix", "read_percent": "90", "zipf_s": "1.5"}) == (
        c.SetTrafficMix(read_ratio=0.9, zipf_s=1.5),
        [],
    )
    assert _read({"action": "set_traffic", "rps": "2500"}) == (c.SetTraffic(2500.0), [])
    assert _read({"action": "speed", "speed": "2"}) == (c.SetSpeed(2), [])


def test_a_form_gets_each_problem_in_its_own_terms():
    assert _read(
        {
            "action": "set_autoscaling",
            "enabled": "maybe",
            "min": "2.5",
            "max": "lots",
            "target_percent": "96",
            "target_utilization": "0.5",
        }
    )[1] == [
        "message.target_utilization: is not a field of set_autoscaling",
        "message.enabled: must be on or off",
        "message.min: must be a whole number",
        "message.max: must be a whole number",
        "message.target_percent: must be between 5 and 95",
    ]
    assert _read({"action": "set_traffic", "rps": ""})[1] == ["message.rps: is missing"]
    assert _read({"action": "speed", "speed": "3"})[1] == ["message.speed: must be one of 1, 2, 5"]
    assert _read({"action": "predict", "choice": "-1"})[1] == [
        "message.choice: must be zero or more"
    ]
    assert _read({"action": ""})[1] == ["message.action: is missing"]


def test_data_is_read_strictly_where_a_form_is_read_leniently():
    assert _read({"action": "set_traffic", "rps": "2500"}, form=False)[1] == [
        "message.rps: must be a number"
    ]
    assert _read({"action": "set_operations", "monitoring": "on", "automation": False}, form=False)[
        1
    ] == ["message.monitoring: must be true or false"]
    assert _read({"action": "set_traffic_mix", "read_percent": 50}, form=False)[1] == [
        "message.read_percent: is not a field of set_traffic_mix"
    ]


def test_fields_and_limits_are_what_the_forms_are_drawn_from():
    assert fields("set_traffic_mix") == ("read_ratio", "static_ratio", "zipf_s")
    assert fields("set_traffic_mix", form=True) == ("read_percent", "static_percent", "zipf_s")
    assert limits("set_autoscaling", "target_utilization") == (0.05, 0.95)
    assert limits("set_autoscaling", "target_percent", form=True) == (5, 95)
    assert limits("set_traffic", "rps") == (c.MIN_RPS, c.MAX_RPS)
    assert limits("predict", "choice") == (0, None)
