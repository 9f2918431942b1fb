"""The plan format loader: valid plans, and each kind of invalid plan with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from architect.sim.commands import ResizeNode
from architect.sim.snapshot import NodeKind
from lessons.format import MAX_FILE_BYTES, PlanError, load_plan, read_plan_file

FIXTURES = Path(__file__).parent / "fixtures"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
SOURCE = "lessons/plans/tiny.yaml"
# A stage whose topology or solution is wrong leaves the next stage nothing to start from.
CASCADE = "lessons/plans/tiny.yaml:51: stages[1].topology.from: the previous stage has problems (fix them first)"


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(text, source=SOURCE)
    return list(caught.value.problems)


def edited(old: str, new: str) -> str:
    assert TINY.count(old) == 1, old
    return TINY.replace(old, new)


def test_a_valid_plan_loads_with_every_field():
    plan = load_plan(TINY, source=SOURCE)
    assert (plan.slug, plan.languages, plan.author, plan.license) == (
        "tiny",
        ("en", "ko"),
        "Tests",
        "CC0-1.0",
    )
    first, _second = plan.stages
    assert first.title == {"en": "A bigger server", "ko": "더 큰 서버"}
    assert "**small**" in first.body["en"]  # Markdown is kept as written
    assert (
        first.predict is not None and first.predict.answer == 1 and len(first.predict.choices) == 2
    )
    assert first.controls == ("resize", "set_traffic")
    assert first.duration_s == 20 and first.goal.from_s == 5  # the default warm-up
    assert [(c.metric, c.operator, c.threshold) for c in first.goal.conditions] == [
        ("p99_ms", "below", 200.0),
        ("error_rate", "at_most", 0.01),
    ]
    assert first.solution_commands() == (ResizeNode("web-1", "l"),)
    assert first.line == 10


def test_the_scenario_is_folded_into_the_run_topology():
    first = load_plan(TINY, source=SOURCE).stages[0]
    run = first.run_topology()
    assert run.traffic.rps == 200  # the scenario's traffic over the topology's 50
    assert [n.id for n in run.nodes] == ["dns", "web-1"]


def test_from_previous_starts_where_the_previous_solution_ends():
    second = load_plan(TINY, source=SOURCE).stages[1]
    web = next(n for n in second.run_topology().nodes if n.kind == NodeKind.WEB_SERVER)
    assert web.size == "l"  # the first stage's solution resized it
    assert (
        second.topology["traffic"]["rps"] == 50
    )  # the previous stage's scenario is not carried over
    assert second.topology["events"] == [{"at": 10.0, "action": "fail", "node": "web-1"}]
    assert second.controls[-2:] == ("fail", "restore")  # as listed
    unlisted = TINY.replace(
        "    controls: [separate_database, add_load_balancer, add_web_server, fail, restore]\n", ""
    )
    assert load_plan(unlisted, source=SOURCE).stages[1].controls == (
        "separate_database",
        "add_load_balancer",
        "add_web_server",
    )  # default: the solution's


def test_changes_apply_after_the_previous_solution():
    text = edited(
        "    topology: {from: previous}\n",
        "    topology: {from: previous, changes: [{action: resize, node: web-1, size: xl}]}\n",
    )
    second = load_plan(text, source=SOURCE).stages[1]
    assert second.run_topology().nodes[1].size == "xl"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        - {metric: p99_ms, below: 200}\n",
            "        - {metric: p98_ms, below: 200}\n",
            'lessons/plans/tiny.yaml:37: stages[0].goal.conditions[0].metric: unknown metric "p98_ms" (known: '
            "throughput_rps, offered_rps, error_rate, mean_ms, p50_ms, p95_ms, p99_ms, cost_per_month, utilization, "
            "max_utilization, hit_ratio, lost_writes, sessions_lost, stale_reads, queue_depth)",
        ),
        (
            "        - {metric: p99_ms, below: 200}\n",
            "        - {metric: p99_ms, below: 200, above: 1}\n",
            "lessons/plans/tiny.yaml:37: stages[0].goal.conditions[0]: needs exactly one of below, at_most, at_least, "
            "above (has 2)",
        ),
        (
            "        - {metric: p99_ms, below: 200}\n",
            "        - {metric: utilization, below: 0.8}\n",
            "lessons/plans/tiny.yaml:37: stages[0].goal.conditions[0].node: is required for utilization: which node's",
        ),
        (
            "        - {metric: p99_ms, below: 200}\n",
            "        - {metric: p99_ms, below: fast}\n",
            "lessons/plans/tiny.yaml:37: stages[0].goal.conditions[0].below: must be a number",
        ),
        (
            "format: 1\n",
            "format: 2\n",
            "lessons/plans/tiny.yaml:2: format: must be 1",
        ),
        (
            "slug: tiny\n",
            "slug: Tiny Plan\n",
            "lessons/plans/tiny.yaml:3: slug: must be a slug: 1–80 lower-case letters, digits or dashes",
        ),
        (
            "title: {en: A tiny plan, ko: 작은 계획}\n",
            "title: {en: A tiny plan}\n",
            "lessons/plans/tiny.yaml:4: title.ko: is required",
        ),
        (
            "title: {en: A tiny plan, ko: 작은 계획}\n",
            "title: A tiny plan\n",
            "lessons/plans/tiny.yaml:4: title: must be a mapping with a text for each language (en, ko)",
        ),
        (
            "    title: {en: A bigger server, ko: 더 큰 서버}\n",
            "    titel: {en: A bigger server, ko: 더 큰 서버}\n",
            [
                "lessons/plans/tiny.yaml:11: stages[0].titel: unknown field (expected one of slug, title, body, "
                "topology, scenario, controls, predict, goal, hints, debrief, solution, fixed, shortcuts, experiments)",
                "lessons/plans/tiny.yaml:10: stages[0].title: is required",
            ],
        ),
        (
            "      - {action: resize, node: web-1, size: l}\n",
            "      - {action: resize_node, node: web-1, size: l}\n",
            [
                'lessons/plans/tiny.yaml:43: stages[0].solution[0].action: unknown action "resize_node"',
                CASCADE,
            ],
        ),
        (
            "      - {action: resize, node: web-1, size: l}\n",
            "      - {action: resize, node: web-9, size: l}\n",
            [
                "lessons/plans/tiny.yaml:43: stages[0].solution[0]: cannot be carried out on the stage's topology: "
                'there is no node "web-9"',
                CASCADE,
            ],
        ),
        (
            "    controls: [resize, set_traffic]\n",
            "    controls: [resize, set_trafic]\n",
            'lessons/plans/tiny.yaml:26: stages[0].controls[1]: unknown action "set_trafic"',
        ),
        (
            "      answer: 1\n",
            "      answer: 2\n",
            "lessons/plans/tiny.yaml:32: stages[0].predict.answer: must be the index of a choice: 0 to 1",
        ),
        (
            "      duration_s: 20\n",
            "      duration_s: 301\n",
            "lessons/plans/tiny.yaml:25: stages[0].scenario.duration_s: must be between 5 and 300",
        ),
        (
            "      traffic: {rps: 200}\n",
            "      traffic: {rps: -5}\n",
            "lessons/plans/tiny.yaml:24: stages[0].scenario.traffic.rps: must be between 0 and 1000000",
        ),
        (
            "        - {id: web-1, kind: web_server, size: s, service_ms: 25}\n",
            "        - {id: web-1, kind: web_server, size: xs, service_ms: 25}\n",
            [
                "lessons/plans/tiny.yaml:21: stages[0].topology.nodes[1].size: must be one of s, m, l, xl",
                CASCADE,
            ],
        ),
        (
            "        - {at: 10, action: fail, node: web-1}\n",
            "        - {at: 30, action: fail, node: web-1}\n",
            "lessons/plans/tiny.yaml:54: stages[1].scenario.events[0].at: must be between 0 and 25",
        ),
        (
            "  - slug: survive-a-failure\n",
            "  - slug: bigger-server\n",
            'lessons/plans/tiny.yaml:48: stages[1].slug: "bigger-server" is used by an earlier stage',
        ),
        (
            "      from_s: 14\n",
            "      from_s: 25\n",
            "lessons/plans/tiny.yaml:58: stages[1].goal.from_s: must be between 0 and 24",
        ),
        (
            "    topology: {from: previous}\n",
            "    topology: {from: first}\n",
            'lessons/plans/tiny.yaml:51: stages[1].topology.from: must be "previous" (or give a full topology)',
        ),
        (
            "    topology: {from: previous}\n",
            "    topology: {from: previous, changes: [{action: fail, node: web-7}]}\n",
            'lessons/plans/tiny.yaml:51: stages[1].topology.changes[0]: cannot be carried out: there is no node "web-7"',
        ),
        (
            "title: {en: A tiny plan, ko: 작은 계획}\n",
            "title: {en: A tiny plan, ko: 작은 계획}\ntitle: {en: Again, ko: 다시}\n",
            'lessons/plans/tiny.yaml:5: title: the key "title" appears twice',
        ),
        (
            '    body: {en: "web-1 fails at 10 s.", ko: "web-1이 10초에 멈춥니다."}\n',
            '    body: {en: "web-1 fails at 10 s.", ko: "web-1이 10초에 멈춥니다."\n',
            "lessons/plans/tiny.yaml:51: not valid YAML: did not find expected ',' or '}'",
        ),
    ],
)
def test_each_invalid_plan_names_file_line_and_field(old, new, expected):
    assert problems(edited(old, new)) == (expected if isinstance(expected, list) else [expected])


def test_every_problem_is_reported_at_once():
    text = edited("format: 1\n", "format: 2\n").replace("answer: 1", "answer: 9")
    found = problems(text)
    assert [p.split(": ")[1] for p in found] == ["format", "stages[0].predict.answer"]


def test_the_first_stage_cannot_start_from_previous():
    text = TINY.replace(
        "    topology:\n      version: 1",
        "    topology: {from: previous}\n    old:\n      version: 1",
        1,
    )
    assert (
        "lessons/plans/tiny.yaml:15: stages[0].topology.from: the first stage needs a full topology"
        in problems(text)
    )


def test_aliases_are_refused():
    text = edited(
        "title: {en: A tiny plan, ko: 작은 계획}\n",
        "title: &t {en: A tiny plan, ko: 작은 계획}\nsummary: *t\n",
    )
    text = text.replace("summary: {en: Two stages., ko: 두 단계.}\n", "")
    # refused where the anchor is set (line 4), before anything refers to it
    assert problems(text) == [
        "lessons/plans/tiny.yaml:4: anchors and aliases (& and *) are not allowed"
    ]


def test_limits_on_texts_stages_and_file_size(tmp_path):
    long_body = "x" * 5_001
    text = edited(
        '    body: {en: "web-1 fails at 10 s.", ko: "web-1이 10초에 멈춥니다."}\n',
        f'    body: {{en: "{long_body}", ko: 짧음}}\n',
    )
    assert problems(text) == [
        "lessons/plans/tiny.yaml:50: stages[1].body.en: is 5001 characters long; a text may be at most 5000"
    ]
    stage = TINY[TINY.index("  - slug: survive-a-failure") :]
    many = TINY + "".join(stage.replace("survive-a-failure", f"again-{i}") for i in range(39))
    assert problems(many) == [
        "lessons/plans/tiny.yaml:9: stages: has 41 stages; a plan may have at most 40"
    ]
    big = tmp_path / "big.yaml"
    big.write_text(TINY + "#" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        read_plan_file(big, source="big.yaml")
    assert caught.value.problems[0].startswith("big.yaml:0: (file): is ")
    assert caught.value.problems[0].endswith("bytes; a plan file may be at most 1 MiB (1048576)")


def test_a_plan_that_is_not_a_mapping():
    assert problems("- just a list\n") == [
        "lessons/plans/tiny.yaml:1: (top): must be a mapping with format, slug, title, languages, stages"
    ]


def test_scenario_events_accept_the_topology_formats_shorthands():
    text = edited(
        "        - {at: 10, action: fail, node: web-1}\n",
        "        - {at: 10, fail: web-1}\n        - {at: 5, set: {traffic.rps: 80}}\n",
    )
    events = load_plan(text, source=SOURCE).stages[1].run_topology().events
    assert [(e.at, type(e.command).__name__) for e in events] == [
        (5.0, "SetTraffic"),
        (10.0, "FailNode"),
    ]
