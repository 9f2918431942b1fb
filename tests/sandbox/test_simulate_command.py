"""``manage.py simulate``: a topology file run headless, as JSON or a table."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from architect.sandbox.management.commands.simulate import MAX_FILE_BYTES

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.*"))
SHORT = ("--duration", "5", "--warmup", "1")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_json_has_every_key_and_repeats(path: Path):
    """Every example runs; the JSON holds the documented keys and is the same twice."""
    output = _run(str(path), *SHORT, "--json")
    assert output == _run(str(path), *SHORT, "--json")
    report: dict[str, Any] = json.loads(output)
    summary = report["summary"]
    for key in ("offered_rps", "throughput_rps", "error_rate", "availability", "cost_per_month"):
        assert isinstance(summary[key], float), key
    assert set(summary["latency_ms"]) >= {"mean", "p50", "p95", "p99"}
    for node in report["nodes"].values():
        assert set(node) >= {"kind", "utilization", "throughput_rps", "mean_queue", "latency_ms"}
        assert set(node["latency_ms"]) >= {"mean", "p99"}
    assert "hit_ratio" in report["cache"]
    assert isinstance(report["events"], list)
    assert len(report["series"]) == 5


def test_the_table_names_every_node():
    output = _run(str(EXAMPLES[0]), *SHORT)
    report = json.loads(_run(str(EXAMPLES[0]), *SHORT, "--json"))
    assert "availability" in output
    for node_id in report["nodes"]:
        assert f"\n{node_id} " in output


def test_a_seed_changes_the_run():
    path = str(EXAMPLES[0])
    assert _run(path, *SHORT, "--json", "--seed", "2") != _run(path, *SHORT, "--json")


def test_every_problem_is_listed_with_its_path(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "version: 2\nnodes:\n  - {id: dns, kind: dns}\n  - {id: web, kind: web_server, "
        "service_ms: -5}\nlinks:\n  - [dns, web]\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        _run(str(path))
    message = str(raised.value)
    assert "nodes[1].service_ms: " in message
    assert "version: must be 1" in message
    assert str(path) in message


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path):
    path = tmp_path / "broken.yml"
    path.write_text("version: 1\nnodes:\n  - {id: dns, kind: dns\nlinks: []\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.yml: line \d+"):
        _run(str(path))


def test_a_json_syntax_error_names_the_line(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "version": 1,\n  "nodes": [,]\n}\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json: line 3"):
        _run(str(path))


def test_an_oversized_file_is_refused(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    path.write_text("#" * (MAX_FILE_BYTES + 1), encoding="utf-8")
    with pytest.raises(CommandError, match="larger than 1024 KiB"):
        _run(str(path))


def test_an_unknown_extension_or_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(CommandError, match=r"\.json, \.yaml or \.yml"):
        _run(str(tmp_path / "topology.txt"))
    with pytest.raises(CommandError, match="cannot be read"):
        _run(str(tmp_path / "missing.yaml"))


def test_limits_become_command_errors():
    with pytest.raises(CommandError, match="duration"):
        _run(str(EXAMPLES[0]), "--duration", "0")


def test_scripted_events_are_listed_in_the_json_and_the_table():
    """failure-drill.yaml: web-1 fails at 30 s, is restored at 45 s; traffic doubles at 60 s."""
    path = str(next(p for p in EXAMPLES if p.name == "failure-drill.yaml"))
    events = json.loads(_run(path, "--json"))["events"]
    assert {"t": 30.0, "kind": "node_failed", "node": "web-1"} in events
    assert {"t": 45.0, "kind": "node_restored", "node": "web-1"} in events
    assert {"t": 60.0, "kind": "traffic_changed", "value": 600.0} in events
    table = _run(path)
    assert "\nevents:\n    30.0 s  node_failed  node=web-1\n" in table
    assert "    60.0 s  traffic_changed  value=600.0" in table


def test_problems_are_printed_in_the_language_asked_for(tmp_path: Path):
    """``--language ko`` lists every problem with its path and a Korean reason; English is the default."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "version: 1\nnodes:\n  - {id: dns, kind: dns}\n  - {id: web-1, kind: web_server}\n"
        "  - {id: cache, kind: cache}\n  - {id: db, kind: database}\n"
        "links:\n  - [dns, web-1]\n  - [web-1, web-9]\n  - [dns, cache]\n  - [web-1, db]\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        _run(str(path), "--language", "ko")
    assert str(raised.value).splitlines() == [
        f"{path}: 문제 3개:",
        '  links[1]: 알 수 없는 노드입니다: "web-9"',
        "  links[2]: 요청을 보낼 수 없는 연결입니다: DNS(dns) → 캐시(cache)",
        "  links: DNS는 정확히 하나의 오리진(로드밸런서 또는 웹 서버)을 가리켜야 합니다",
    ]
    with pytest.raises(CommandError) as raised:
        _run(str(path))
    assert str(raised.value).splitlines() == [
        f"{path}: 3 problem(s):",
        '  links[1]: unknown node "web-9"',
        "  links[2]: a dns cannot send requests to a cache",
        "  links: DNS must point at exactly one origin (a load balancer or a web server)",
    ]


def test_a_node_added_during_the_run_is_in_the_table(tmp_path: Path):
    """The issue #9.2 reproduction: an add_web_server event on load-balanced.yaml."""
    path = tmp_path / "added.yaml"
    example = next(p for p in EXAMPLES if p.name == "load-balanced.yaml")
    events = "events: [{at: 20, action: add_web_server}]\n"
    path.write_text(example.read_text(encoding="utf-8") + events, encoding="utf-8")
    table = _run(str(path), "--duration", "20", "--warmup", "10")
    (line,) = [line for line in table.splitlines() if line.startswith("web-3 ")]
    assert line.endswith("added at 20 s")
    assert "    20.0 s  node_added  node=web-3" in table


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("alias.yaml", "version: 1\nnodes: &n []\nlinks: *n\n", "line 2: anchors and aliases"),
        ("deep.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 32 levels deep"),
        ("deep.json", "[" * 5000 + "]" * 5000, "nested more than 32 levels deep"),
        ("digits.json", '{"version": ' + "9" * 5000 + "}", "digits.json: "),
        ("huge.json", '{"version": 1, "traffic": {"rps": 1' + "0" * 400 + "}}", "traffic.rps"),
        ("when.yaml", "version: 1\nname: 2026-11-30\n", "timestamp are not allowed"),
    ],
)
def test_hostile_files_are_refused_with_a_reason(tmp_path: Path, name: str, text: str, said: str):
    """Issue #9.2: the same limits as a plan's YAML (aliases refused everywhere), and a
    JSON file's depth and numbers checked before they are converted."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(said)):
        _run(str(path))
