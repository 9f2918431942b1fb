"""Scripted events: read from the topology format, written back, carried out on time."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from architect.sim import commands as c
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import ScheduledEvent
from architect.sim.model.validate import validate
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind, NodeStatus

BASE = {
    "version": 1,
    "name": "Two servers",
    "traffic": {"rps": 200},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "lb", "kind": "load_balancer"},
        {"id": "web-1", "kind": "web_server", "size": "m", "service_ms": 20},
        {"id": "web-2", "kind": "web_server", "size": "m", "service_ms": 20},
        {"id": "db", "kind": "database", "size": "m", "service_ms": 5},
    ],
    "links": [["dns", "lb"], ["lb", "web-1"], ["lb", "web-2"], ["web-1", "db"], ["web-2", "db"]],
}


def _with(events: object) -> dict[str, object]:
    data = copy.deepcopy(BASE)
    data["events"] = events
    return data


def _problems(events: object) -> list[str]:
    with pytest.raises(TopologyError) as caught:
        load_topology(_with(events))
    return [str(problem) for problem in caught.value.problems]


def test_a_file_without_events_has_none():
    assert load_topology(copy.deepcopy(BASE)).events == ()
    assert "events" not in dump_topology(load_topology(copy.deepcopy(BASE)))


def test_the_shorthands_mean_the_same_as_the_action_form():
    shorthand = load_topology(
        _with(
            [
                {"at": 30, "fail": "web-1"},
                {"at": 45, "recover": "web-1"},
                {"at": 60, "set": {"traffic.rps": 5000}},
                {"at": 61, "set": {"traffic.zipf_s": 2, "traffic.read_ratio": 0.5}},
            ]
        )
    )
    actions = load_topology(
        _with(
            [
                {"at": 30, "action": "fail", "node": "web-1"},
                {"at": 45, "action": "restore", "node": "web-1"},
                {"at": 60, "action": "set_traffic", "rps": 5000},
                {"at": 61, "action": "set_traffic_mix", "read_ratio": 0.5, "zipf_s": 2},
            ]
        )
    )
    assert shorthand == actions
    assert shorthand.events == (
        ScheduledEvent(30.0, c.FailNode("web-1")),
        ScheduledEvent(45.0, c.RestoreNode("web-1")),
        ScheduledEvent(60.0, c.SetTraffic(5000.0)),
        ScheduledEvent(61.0, c.SetTrafficMix(read_ratio=0.5, zipf_s=2.0)),
    )


def test_setting_rps_and_the_mix_at_once_makes_two_events():
    topology = load_topology(
        _with([{"at": 5, "set": {"traffic.rps": 10, "traffic.static_ratio": 0.3}}])
    )
    assert topology.events == (
        ScheduledEvent(5.0, c.SetTraffic(10.0)),
        ScheduledEvent(5.0, c.SetTrafficMix(static_ratio=0.3)),
    )


def test_dump_then_load_keeps_the_events_in_their_order():
    topology = load_topology(
        _with(
            [
                {"at": 45, "recover": "web-1"},
                {"at": 30, "fail": "web-1"},
                {"at": 9, "action": "add_cache"},
            ]
        )
    )
    dumped = dump_topology(topology)
    assert dumped["events"] == [
        {"at": 45.0, "action": "restore", "node": "web-1"},
        {"at": 30.0, "action": "fail", "node": "web-1"},
        {"at": 9.0, "action": "add_cache"},
    ]
    assert load_topology(dumped) == topology


def test_every_problem_with_the_events_is_reported_with_its_path():
    assert _problems(
        [
            {"at": 90000, "fail": "web-1"},
            {"fail": "web-1"},
            {"at": "soon", "action": "add_cache"},
            {"at": 1, "action": "fail", "nodes": "web-1"},
            {"at": 1, "fail": "web-1", "recover": "web-1"},
            {"at": 1, "action": "fail", "fail": "web-1"},
            {"at": 1, "set": {"traffic.keys": 5, "traffic.rps": -1}},
            {"at": 1, "recover": "Web 1", "note": "x"},
            {"at": 1, "action": "add_webserver"},
            "fail web-1",
        ]
    ) == [
        "events[0].at: must be between 0 and 86400",
        "events[1].at: is missing (the simulated second it happens at)",
        "events[2].at: must be a number",
        "events[3].nodes: is not a field of fail",
        "events[3].node: is missing",
        "events[4]: give one action, or one of the shorthands fail, recover and set",
        "events[5]: give one action, or one of the shorthands fail, recover and set",
        "events[6].set.traffic.keys: cannot be set by an event: only traffic.rps, traffic.read_ratio, "
        "traffic.static_ratio, traffic.zipf_s",
        "events[6].set.traffic.rps: must be between 0 and 1000000",
        "events[7].note: is not a field of an event with recover",
        "events[7].recover: must be a node id (1–32 lower-case letters, digits or dashes)",
        'events[8].action: unknown action "add_webserver"',
        "events[9]: must be a mapping like {at: 30, action: fail, node: web-1}",
    ]


def test_at_most_200_events():
    assert _problems([{"at": i, "action": "purge_cdn"} for i in range(201)]) == [
        "events: at most 200 events"
    ]
    assert (
        len(load_topology(_with([{"at": i, "action": "purge_cdn"} for i in range(200)])).events)
        == 200
    )
    assert _problems({"at": 1}) == ["events: must be a list of events, like {at: 30, fail: web-1}"]


def test_validate_checks_events_built_in_code():
    topology = load_topology(copy.deepcopy(BASE))
    late = replace(topology, events=(ScheduledEvent(-1.0, c.AddCache()),))
    assert [str(p) for p in validate(late)] == ["events[0].at: must be between 0 and 86400"]


def test_each_event_happens_at_its_time():
    """The node is up just before ``at`` and down just after, back after the restore."""
    topology = load_topology(_with([{"at": 3, "fail": "web-1"}, {"at": 5, "recover": "web-1"}]))
    sim = Simulation(topology, seed=1)
    assert sim.advance(2.99).node("web-1").status is NodeStatus.UP
    assert sim.advance(0.02).node("web-1").status is NodeStatus.DOWN
    assert sim.advance(1.98).node("web-1").status is NodeStatus.DOWN  # t = 4.99
    assert sim.advance(0.02).node("web-1").status is NodeStatus.UP
    failed = [e for e in sim.log if e.kind is EventKind.NODE_FAILED]
    assert [e.t for e in failed] == [3.0]


def test_events_written_out_of_order_run_in_time_order():
    topology = load_topology(
        _with([{"at": 4, "set": {"traffic.rps": 50}}, {"at": 2, "set": {"traffic.rps": 400}}])
    )
    sim = Simulation(topology, seed=1)
    assert sim.advance(3).offered_rps == 400
    assert sim.advance(2).offered_rps == 50


def test_a_refused_event_is_logged_and_the_run_goes_on():
    topology = load_topology(
        _with(
            [
                {"at": 1, "fail": "web-9"},
                {"at": 1, "action": "add_load_balancer"},
                {"at": 2, "fail": "web-2"},
            ]
        )
    )
    sim = Simulation(topology, seed=1)
    snapshot = sim.advance(3)
    refused = [e for e in sim.log if e.kind is EventKind.EVENT_REFUSED]
    assert [(e.t, e.peer, e.text, e.node) for e in refused] == [
        (1.0, "fail", "unknown_node", "web-9"),
        (1.0, "add_load_balancer", "load_balancer_exists", ""),
    ]
    assert snapshot.node("web-2").status is NodeStatus.DOWN
