"""protocol.parse: htmx ws-send JSON → the vocabulary's commands, or a specific ProtocolError."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from architect.sandbox.protocol import ProtocolError, decode, parse
from architect.sim import commands as sim
from architect.sim.actions import LESSON_ACTIONS
from architect.sim.commands import Pause, Predict, Reset, Resume, SetSpeed


def msg(**fields: object) -> str:
    return json.dumps({**fields, "HEADERS": {"HX-Request": "true", "HX-Trigger": None}})


@pytest.mark.parametrize(
    ("fields", "command"),
    [
        ({"action": "set_traffic", "rps": "2500"}, sim.SetTraffic(2500.0)),
        ({"action": "set_traffic", "rps": 1}, sim.SetTraffic(1.0)),
        ({"action": "set_traffic", "rps": "0"}, sim.SetTraffic(0.0)),  # the engine's own limit
        ({"action": "add_web_server"}, sim.AddWebServer()),
        ({"action": "remove_web_server"}, sim.RemoveWebServer("")),
        ({"action": "remove_web_server", "node": "web-3"}, sim.RemoveWebServer("web-3")),
        ({"action": "add_load_balancer"}, sim.AddLoadBalancer()),
        ({"action": "separate_database"}, sim.SeparateDatabase()),
        ({"action": "add_cache"}, sim.AddCache()),
        ({"action": "add_replica"}, sim.AddReplica()),
        ({"action": "add_cdn"}, sim.AddCdn()),
        ({"action": "purge_cdn"}, sim.PurgeCdn()),
        ({"action": "version_assets"}, sim.VersionAssets()),
        ({"action": "denormalise"}, sim.Denormalise()),
        ({"action": "isolate_hot_key"}, sim.IsolateHotKey()),
        ({"action": "resize", "node": "web-1", "size": "xl"}, sim.ResizeNode("web-1", "xl")),
        ({"action": "fail", "node": "web-2"}, sim.FailNode("web-2")),
        ({"action": "restore", "node": "db"}, sim.RestoreNode("db")),
        ({"action": "pause"}, Pause()),
        ({"action": "resume"}, Resume()),
        ({"action": "speed", "speed": "5"}, SetSpeed(5)),
        ({"action": "reset"}, Reset()),
        (
            {
                "action": "set_traffic_mix",
                "read_percent": "90",
                "static_percent": "25",
                "zipf_s": "1.2",
            },
            sim.SetTrafficMix(read_ratio=0.9, static_ratio=0.25, zipf_s=1.2),
        ),
        (  # a field left out (or empty) keeps its value, as in a topology's events
            {"action": "set_traffic_mix", "read_percent": "", "static_percent": 20, "zipf_s": 1},
            sim.SetTrafficMix(static_ratio=0.2, zipf_s=1.0),
        ),
        ({"action": "add_session_store"}, sim.AddSessionStore()),
        ({"action": "set_balancing", "algorithm": "sticky"}, sim.SetBalancing("sticky")),
        (
            {
                "action": "set_autoscaling",
                "enabled": "on",
                "min": "3",
                "max": "12",
                "target_percent": "70",
            },
            sim.SetAutoscaling(True, 3, 12, 0.7),
        ),
        (  # an unticked checkbox is not sent at all
            {"action": "set_autoscaling", "min": "2", "max": "10", "target_percent": "60"},
            sim.SetAutoscaling(False, 2, 10, 0.6),
        ),
        ({"action": "set_autoscaling"}, sim.SetAutoscaling(False)),
        ({"action": "set_operations"}, sim.SetOperations(False, False)),
        ({"action": "set_operations", "monitoring": "on"}, sim.SetOperations(True, False)),
        (
            {"action": "set_operations", "monitoring": "on", "automation": "on"},
            sim.SetOperations(True, True),
        ),
        ({"action": "add_shard", "strategy": "modulo"}, sim.AddShard("modulo")),
        ({"action": "add_shard"}, sim.AddShard("consistent_hash")),
        ({"action": "add_shard", "strategy": "consistent_hash"}, sim.AddShard("consistent_hash")),
        ({"action": "add_message_queue"}, sim.AddMessageQueue()),
        (
            {"action": "set_workers", "node": "workers", "workers": "16"},
            sim.SetWorkers("workers", 16),
        ),
        ({"action": "add_data_center", "region": "asia"}, sim.AddDataCenter("", "asia")),
        (
            {"action": "add_data_center", "region": "europe", "center": "asia"},
            sim.AddDataCenter("asia", "europe"),
        ),
        ({"action": "fail_data_center", "center": "asia"}, sim.FailDataCenter("asia")),
        ({"action": "restore_data_center", "center": "us-east"}, sim.RestoreDataCenter("us-east")),
    ],
)
def test_each_action_gives_its_command(fields, command):
    assert parse(msg(**fields)) == command


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("{not json", "not_json", "not valid JSON"),
        ("[1, 2]", "not_object", "JSON object"),
        (msg(rps=10), "missing_action", "no action"),
        (msg(action="launch_rockets"), "unknown_action", "launch_rockets"),
        (msg(action="set_traffic"), "missing_field", "“rps”"),
        (msg(action="fail"), "missing_field", "“node”"),
        (msg(action="set_traffic", rps="lots"), "not_a_number", "must be a number"),
        (msg(action="set_traffic", rps="nan"), "not_a_number", "must be a number"),
        (msg(action="set_traffic", rps=True), "not_a_number", "must be a number"),
        (msg(action="set_traffic", rps=-1), "out_of_range", "between 0 and 1000000"),
        (msg(action="set_traffic", rps=1000001), "out_of_range", "between 0 and 1000000"),
        (msg(action="set_traffic", rps=1, nodes=2), "unknown_field", "“nodes” is not part of"),
        (msg(action="speed", speed=3), "bad_speed", "1, 2, 5"),
        (msg(action="speed", speed=9), "out_of_range", "between 1 and 5"),
        (msg(action="fail", node="Web 1"), "bad_node", "not a node id"),
        (msg(action="fail", node="x" * 33), "bad_node", "not a node id"),
        (msg(action="resize", node="web-1", size="huge"), "bad_size", "s, m, l, xl"),
        (  # forms give percentages
            msg(action="set_traffic_mix", read_ratio=0.5),
            "unknown_field",
            "“read_ratio” is not part of the action set_traffic_mix",
        ),
        (
            msg(action="set_traffic_mix", read_percent=101, static_percent=20, zipf_s=1),
            "out_of_range",
            "“read_percent” must be between 0 and 100",
        ),
        (
            msg(action="set_traffic_mix", read_percent=80, static_percent=-1, zipf_s=1),
            "out_of_range",
            "“static_percent” must be between 0 and 100",
        ),
        (
            msg(action="set_traffic_mix", read_percent=80, static_percent=20, zipf_s=3.5),
            "out_of_range",
            "“zipf_s” must be between 0 and 3",
        ),
        (
            msg(action="set_traffic_mix", read_percent="most", static_percent=20, zipf_s=1),
            "not_a_number",
            "must be a number",
        ),
        (msg(action="set_balancing"), "missing_field", "“algorithm”"),
        (
            msg(action="set_balancing", algorithm="random"),
            "bad_algorithm",
            "round_robin, least_connections, sticky",
        ),
        (msg(action="set_autoscaling", enabled="maybe"), "not_a_checkbox", "on or off"),
        (
            msg(action="set_autoscaling", enabled="on", min=5, max=3),
            "min_above_max",
            "minimum (5) must not be above the maximum (3)",
        ),
        (msg(action="set_autoscaling", enabled="on", min=0), "out_of_range", "between 1 and 20"),
        (msg(action="set_autoscaling", enabled="on", max=21), "out_of_range", "between 1 and 20"),
        (msg(action="set_autoscaling", enabled="on", min=2.5), "not_whole", "whole number"),
        (
            msg(action="set_autoscaling", enabled="on", target_percent=99),
            "out_of_range",
            "“target_percent” must be between 5 and 95",
        ),
        (msg(action="set_operations", monitoring="yes please"), "not_a_checkbox", "on or off"),
        (msg(action="predict", choice="1"), "unknown_action", "predict"),  # a lesson's only
        (msg(action="add_shard", strategy="none"), "bad_strategy", "modulo, consistent_hash"),
        (msg(action="add_shard", strategy="range"), "bad_strategy", "modulo, consistent_hash"),
        (msg(action="set_workers", workers=4), "missing_field", "“node”"),
        (msg(action="set_workers", node="workers"), "missing_field", "“workers”"),
        (msg(action="set_workers", node="workers", workers=0), "out_of_range", "between 1 and 256"),
        (
            msg(action="set_workers", node="workers", workers=257),
            "out_of_range",
            "between 1 and 256",
        ),
        (msg(action="set_workers", node="workers", workers="4.5"), "not_whole", "whole number"),
        (msg(action="set_workers", node="Workers!", workers=4), "bad_node", "not a node id"),
        (msg(action="add_data_center"), "missing_field", "“region”"),
        (msg(action="add_data_center", region="mars"), "bad_region", "us-east, europe, asia"),
        (msg(action="add_data_center", region=["asia"]), "bad_region", "us-east, europe, asia"),
        (
            msg(action="add_data_center", region="asia", center="Asia Pacific"),
            "bad_center",
            "not a data center name",
        ),
        (msg(action="fail_data_center"), "missing_field", "“center”"),
        (msg(action="fail_data_center", center=7), "bad_center", "not a data center name"),
        (
            msg(action="restore_data_center", center="x" * 33),
            "bad_center",
            "not a data center name",
        ),
    ],
)
def test_bad_input_gives_a_specific_error(text, code, words):
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    assert caught.value.code == code
    assert words in caught.value.message


def test_a_message_over_the_limit_is_refused_before_parsing():
    with pytest.raises(ProtocolError) as caught:
        parse(msg(action="pause", padding="x" * 5000), max_bytes=4096)
    assert caught.value.code == "too_large"
    assert "4096" in caught.value.message


def test_the_size_limit_counts_bytes_not_characters():
    text = msg(action="pause", note="한" * 1400)  # 4,200 bytes in UTF-8, 1,400 characters
    with pytest.raises(ProtocolError):
        parse(text, max_bytes=4096)


def test_decode_leaves_out_the_htmx_envelope():
    assert decode(msg(action="fail", node="web-1")) == {"action": "fail", "node": "web-1"}


def test_a_lesson_socket_also_accepts_the_lesson_actions():
    assert parse(msg(action="predict", choice="1"), accepts=LESSON_ACTIONS) == Predict(1)
    with pytest.raises(ProtocolError) as caught:
        parse(msg(action="predict", choice="-1"), accepts=LESSON_ACTIONS)
    assert caught.value.code == "out_of_range" and "zero or more" in caught.value.message


def test_every_problem_of_a_message_is_said():
    with pytest.raises(ProtocolError) as caught:
        parse(msg(action="set_autoscaling", enabled="on", min="many", max=99))
    assert caught.value.code == "not_whole"
    assert "“min” must be a whole number" in caught.value.message
    assert "“max” must be between 1 and 20" in caught.value.message


def test_the_sentences_are_korean_for_a_korean_learner():
    with translation.override("ko"), pytest.raises(ProtocolError) as caught:
        parse(msg(action="set_traffic", rps="lots"))
    assert caught.value.message == "“rps” 필드는 숫자여야 합니다."
    with translation.override("ko"), pytest.raises(ProtocolError) as caught:
        parse(msg(action="fail", node="Web 1"))
    assert "올바른 노드 ID가 아닙니다: “Web 1”" in caught.value.message
