"""architect.problem_text: the engine's problems in the user's language, English unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from architect.problem_text import problem_text, reason_text
from architect.sim.actions import parse_action, parse_actions
from architect.sim.loader import load_topology
from architect.sim.model.problems import Problem, TopologyError

DNS_WEB = [{"id": "dns", "kind": "dns"}, {"id": "web-1", "kind": "web_server"}]


def _problems(load, *args) -> list[Problem]:
    with pytest.raises(TopologyError) as caught:
        load(*args)
    return list(caught.value.problems)


def _topology(nodes: list[Any], links: list[Any], **extra: Any) -> list[Problem]:
    return _problems(load_topology, {"version": 1, "nodes": nodes, "links": links, **extra})


def _in(language: str, problems: list[Problem]) -> list[str]:
    with translation.override(language):
        return [problem_text(p) for p in problems]


def test_a_range_problem_in_korean():
    found = _topology(
        [*DNS_WEB[:1], {"id": "web-1", "kind": "web_server", "ttl_s": -1}], [["dns", "web-1"]]
    )
    assert _in("ko", found) == ["nodes[1].ttl_s: 0.001 이상 31536000 이하여야 합니다"]


def test_an_unknown_node_in_korean():
    found = _topology(DNS_WEB, [["dns", "web-1"], ["web-1", "web-9"]])
    assert _in("ko", found) == ['links[1]: 알 수 없는 노드입니다: "web-9"']


def test_a_bad_link_names_both_kinds_in_korean():
    """Node kinds are a closed set: Korean names them in words, with the identifier to type."""
    nodes = [*DNS_WEB, {"id": "cache", "kind": "cache"}, {"id": "db", "kind": "database"}]
    found = _topology(nodes, [["dns", "web-1"], ["dns", "cache"], ["web-1", "db"]])
    assert _in("ko", found)[0] == "links[1]: 요청을 보낼 수 없는 연결입니다: DNS(dns) → 캐시(cache)"
    assert _in("en", found)[0] == "links[1]: a dns cannot send requests to a cache"


def test_a_missing_field_in_korean():
    found = _problems(parse_action, {"action": "fail"}, "events[2]")
    assert _in("ko", found) == ["events[2].node: 빠져 있습니다"]


def test_an_unknown_action_in_korean():
    found = _problems(
        parse_actions, [{"action": "add_cache"}, {"action": "add_webserver"}], "solution"
    )
    assert _in("ko", found) == ['solution[1].action: 알 수 없는 동작입니다: "add_webserver"']


def test_a_nested_phrase_is_translated_with_its_sentence():
    """``shard 1`` inside ``... needs exactly one primary database`` is Korean too."""
    nodes = [
        *DNS_WEB,
        {"id": "db-0", "kind": "database", "shard": 0},
        {"id": "db-1", "kind": "database", "shard": 1, "role": "replica"},
    ]
    links = [["dns", "web-1"], ["web-1", "db-0"], ["web-1", "db-1"]]
    found = _topology(nodes, links, sharding={"strategy": "modulo", "shards": 2})
    assert _in("en", found) == ["nodes: shard 1 needs exactly one primary database"]
    assert _in("ko", found) == [
        "nodes: 샤드 1에는 기본(primary) 데이터베이스가 정확히 하나 있어야 합니다"
    ]


def test_every_problem_is_listed_in_korean_at_once():
    found = _topology(DNS_WEB, [["dns", "web-1"], "web-9"], traffic={"rps": -1, "zipf_s": 9})
    assert _in("ko", found) == [
        "links[1]: [dns, web-1]처럼 노드 ID 두 개의 쌍이어야 합니다",
        "traffic.rps: 0 이상 1000000 이하여야 합니다",
        "traffic.zipf_s: 0 이상 3 이하여야 합니다",
    ]


def test_english_is_the_engines_own_text():
    """In English every problem reads exactly as ``str(problem)`` always did."""
    found = _topology(
        [*DNS_WEB, {"id": "web-1", "kind": "cache", "eviction": "random", "ttl_s": 0}],
        [["dns", "web-1"], ["web-1", "web-9"]],
        version=2,
    )
    assert found and _in("en", found) == [str(p) for p in found]
    assert "version: must be 1" in _in("en", found)


def test_a_broken_translation_falls_back_to_english(monkeypatch):
    """A translation that drops a placeholder must not hide the problem."""
    monkeypatch.setattr("architect.problem_text.gettext", lambda text: "%(missing)s")
    with translation.override("ko"):
        assert reason_text("must be %(version)s", {"version": 1}) == "must be 1"
