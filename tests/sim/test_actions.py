"""The action vocabulary: plain mappings to commands and back, every problem named."""

from __future__ import annotations

from typing import Any

import pytest

from architect.sim import commands as c
from architect.sim.actions import ACTIONS, action_data, parse_action, parse_actions
from architect.sim.model.problems import TopologyError

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
    {"action": "add_replica"},
    {"action": "add_cdn"},
    {"action": "purge_cdn"},
    {"action": "version_assets"},
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
]


def _problems(items: object, path: str = "solution") -> list[str]:
    with pytest.raises(TopologyError) as caught:
        parse_actions(items, path)
    return [str(problem) for problem in caught.value.problems]


def test_the_examples_cover_every_action():
    assert {data["action"] for data in EVERY_ACTION} == set(ACTIONS)
    assert len(ACTIONS) == 24


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
