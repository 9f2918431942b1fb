"""Limits on plain data before any of it is read (architect.sim.model.plain, issue #9.2)."""

from __future__ import annotations

import datetime

import pytest

from architect.sim.loader import load_topology
from architect.sim.model.plain import (
    KEY_TEXT,
    LONE_SURROGATE,
    MAX_DEPTH,
    MAX_TEXT,
    MAX_VALUES,
    MAX_WHOLE,
    NOT_PLAIN,
    TOO_DEEP,
    TOO_LARGE,
    TOO_LONG,
    TOO_MANY,
    plain_problems,
)
from architect.sim.model.problems import A_NUMBER, TopologyError


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def reasons(data: object) -> list[tuple[str, str]]:
    return [(p.path, p.reason) for p in plain_problems(data)]


def test_plain_data_within_the_limits_has_no_problems():
    data = {"a": [1, 2.5, "x", None, True, {"b": nested(MAX_DEPTH - 3)}], "n": -MAX_WHOLE}
    assert plain_problems(data) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": nested(10_000)}, [("a" + "[0]" * (MAX_DEPTH - 1), TOO_DEEP)]),
        ({"rps": 10**400}, [("rps", TOO_LARGE)]),
        ({"rps": -(MAX_WHOLE + 1)}, [("rps", TOO_LARGE)]),
        ({"rps": float("inf")}, [("rps", A_NUMBER)]),
        ({"rps": float("nan")}, [("rps", A_NUMBER)]),
        ({"name": "x" * (MAX_TEXT + 1)}, [("name", TOO_LONG)]),
        ({"name": "web\ud800"}, [("name", LONE_SURROGATE)]),
        ({1: "a"}, [("(top)", KEY_TEXT)]),
        ({"at": datetime.date(2026, 11, 30)}, [("at", NOT_PLAIN)]),
        ({"size": {"m"}}, [("size", NOT_PLAIN)]),
        ({"raw": b"x"}, [("raw", NOT_PLAIN)]),
    ],
)
def test_each_limit_names_its_path(data, expected):
    assert reasons(data) == expected


def test_too_many_values_stops_the_walk():
    assert reasons([0] * MAX_VALUES) == [("(top)", TOO_MANY)]


def test_the_topology_loader_lists_them_before_reading():
    """The probe's crashes: OverflowError for huge numbers, TypeError for ``size: [m]``,
    RecursionError for deep nesting; each is now a problem with its path."""
    base: dict[str, object] = {
        "version": 1,
        "nodes": [{"id": "web-1", "kind": "web_server"}],
        "links": [],
    }
    cases: list[tuple[dict[str, object], str | None]] = [
        ({"traffic": {"rps": 10**400}}, "traffic.rps"),
        ({"events": [{"at": 10**400, "action": "add_web_server"}]}, "events[0].at"),
        ({"nodes": [{"id": "web-1", "kind": "web_server", "size": nested(5000)}]}, None),
    ]
    for bad, path in cases:
        with pytest.raises(TopologyError) as caught:
            load_topology({**base, **bad})
        if path is not None:
            assert [p.path for p in caught.value.problems] == [path]
    with pytest.raises(TopologyError) as caught:
        load_topology({**base, "nodes": [{"id": "web-1", "kind": "web_server", "size": ["m"]}]})
    assert [p.path for p in caught.value.problems] == ["nodes[0].size"]
