"""The topology format: plain data in, a validated Topology out, every problem named."""

from __future__ import annotations

import pytest

from architect.sim.loader import dump_topology, load_topology
from architect.sim.model import presets
from architect.sim.model.problems import TopologyError
from architect.sim.snapshot import NodeKind


def _two_servers() -> dict[str, object]:
    return {
        "version": 1,
        "name": "Two web servers behind a load balancer",
        "traffic": {"rps": 500},
        "network": {"latency_ms": 1},
        "nodes": [
            {"id": "dns", "kind": "dns"},
            {"id": "lb", "kind": "load_balancer", "algorithm": "least_connections"},
            {"id": "web-1", "kind": "web_server", "size": "l", "service_ms": 20},
            {"id": "web-2", "kind": "web_server", "workers": 3, "service_ms": 20},
            {"id": "db", "kind": "database", "service_ms": 5, "service_dist": "constant"},
        ],
        "links": [
            ["dns", "lb"],
            ["lb", "web-1"],
            ["lb", "web-2"],
            ["web-1", "db"],
            ["web-2", "db"],
        ],
    }


def _problems(data: object) -> list[str]:
    with pytest.raises(TopologyError) as caught:
        load_topology(data)
    return [str(problem) for problem in caught.value.problems]


def test_a_sound_file_loads_with_sizes_and_defaults():
    topology = load_topology(_two_servers())
    assert topology.traffic.rps == 500
    assert topology.node("web-1").workers == 16  # size l
    assert topology.node("web-2").workers == 3
    assert topology.node("lb").kind is NodeKind.LOAD_BALANCER
    assert topology.node("db").service_dist == "constant"
    assert topology.targets("lb") == ("web-1", "web-2")


def test_dump_then_load_gives_back_the_same_topology():
    for topology in (presets.single_server(), load_topology(_two_servers())):
        assert load_topology(dump_topology(topology)) == topology


def test_every_format_problem_is_reported_at_once_with_its_path():
    data = _two_servers()
    data["version"] = 2
    data["traffic"] = {"rps": 1e9, "burst": 3}
    data["nodes"][2]["service_ms"] = -1  # type: ignore[index]
    data["nodes"][3]["workers"] = 2.5  # type: ignore[index]
    data["nodes"][4]["colour"] = "red"  # type: ignore[index]
    data["links"].append("lb")  # type: ignore[attr-defined]
    assert _problems(data) == [
        "version: must be 1",
        "nodes[2].service_ms: must be between 0.001 and 600000",
        "nodes[3].workers: must be a whole number",
        "nodes[4].colour: is not a known field",
        "links[5]: must be a pair of node ids, like [dns, web-1]",
        "traffic.burst: is not a known field",
        "traffic.rps: must be between 0 and 1000000",
    ]


def test_graph_problems_come_from_validation():
    data = _two_servers()
    data["links"] = [["dns", "lb"], ["lb", "web-9"], ["db", "web-1"]]
    assert _problems(data) == [
        'links[1]: unknown node "web-9"',
        "links[2]: a database cannot send requests to a web_server",
    ]


def test_a_file_with_bad_fields_is_validated_too_every_problem_listed():
    data = _two_servers()
    data["nodes"][2]["size"] = "xxl"  # type: ignore[index]  # read: a size it does not know
    data["nodes"][1]["algorithm"] = "random"  # type: ignore[index]  # validated: one node
    data["links"].append(["web-2", "ghost"])  # type: ignore[attr-defined]  # validated: a link
    assert _problems(data) == [
        "nodes[2].size: must be one of s, m, l, xl",
        "nodes[1].algorithm: must be one of round_robin, least_connections, sticky",
        'links[5]: unknown node "ghost"',
    ]


def test_what_could_not_be_read_is_not_blamed_again_and_places_stay_the_files():
    data = _two_servers()
    data["nodes"][0]["kind"] = "dnx"  # type: ignore[index]  # the DNS node cannot be read
    data["nodes"][1]["algorithm"] = "random"  # type: ignore[index]
    data["links"].insert(0, "dns")  # type: ignore[attr-defined]  # nor can this link
    data["links"].append(["web-2", "lb"])  # type: ignore[attr-defined]
    # not "unknown node dns", "needs exactly one node of kind dns" nor "DNS must point...":
    # echoes of the node not read; the lb's and the last link's problems at their places
    assert _problems(data) == [
        "nodes[0].kind: must be one of " + ", ".join(k.value for k in NodeKind),
        "links[0]: must be a pair of node ids, like [dns, web-1]",
        "nodes[1].algorithm: must be one of round_robin, least_connections, sticky",
        "links[6]: a web_server cannot send requests to a load_balancer",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "(top): must be a mapping with version, nodes and links"),
        ({"version": 1, "nodes": {}, "links": []}, "nodes: must be a list"),
        (
            {"version": 1, "nodes": [{"id": "dns", "kind": "teapot"}], "links": []},
            "nodes[0].kind: must be one of " + ", ".join(k.value for k in NodeKind),
        ),
        (
            {"version": 1, "nodes": [{"id": "DNS!", "kind": "dns"}], "links": []},
            "nodes[0].id: must be 1–32 lower-case letters, digits or dashes",
        ),
        (
            {
                "version": 1,
                "nodes": [{"id": "w", "kind": "web_server", "workers": True}],
                "links": [],
            },
            "nodes[0].workers: must be a whole number",
        ),
        (
            {
                "version": 1,
                "nodes": [{"id": "w", "kind": "web_server", "service_ms": float("nan")}],
                "links": [],
            },
            "nodes[0].service_ms: must be a number",
        ),
    ],
)
def test_malformed_data_gets_a_specific_message(data, expected):
    assert expected in _problems(data)


def test_hostile_sizes_are_refused_before_any_work():
    many = {
        "version": 1,
        "nodes": [{"id": f"n{i}", "kind": "web_server"} for i in range(10_000)],
        "links": [],
    }
    assert _problems(many) == ["nodes: at most 64 nodes"]
    links = {"version": 1, "nodes": [], "links": [["a", "b"]] * 10_000}
    assert "links: at most 256 links" in _problems(links)
