"""A stage's run keeps what it fixes; its debrief tells what this run did."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string

from architect.sim.commands import (
    AddDataCenter,
    CommandError,
    FailNode,
    RestoreNode,
    RunExperiment,
    SetOperations,
    SetTraffic,
)
from architect.sim.loader import dump_topology, load_topology
from architect.sim.simulation import Simulation
from lessons import debriefs, fragments, services
from lessons.debriefs import RunFacts
from lessons.experiment import Experiment, Phase
from lessons.format import PlanError, load_plan, read_plan_file
from lessons.goals import GoalStatus
from lessons.models import Stage
from lessons.plans import PLANS_DIR

from helpers.plans import plan, stage

TWO_SERVERS: dict[str, Any] = {
    "version": 1,
    "name": "Two servers",
    "traffic": {"rps": 100, "read_ratio": 0.8, "regions": {"us-east": 0.5, "asia": 0.5}},
    "operations": {"automated_repair_s": 2},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "lb", "kind": "load_balancer", "dc": "us-east"},
        {"id": "web-1", "kind": "web_server", "dc": "us-east", "size": "m"},
        {"id": "web-2", "kind": "web_server", "dc": "us-east", "size": "m"},
        {"id": "db", "kind": "database", "dc": "us-east", "size": "m"},
    ],
    "links": [["dns", "lb"], ["lb", "web-1"], ["lb", "web-2"], ["web-1", "db"], ["web-2", "db"]],
}
PARTS = [
    {"text": {"en": "always"}, "when": {}},
    {"text": {"en": "script"}, "when": {"repaired_by": "script"}},
    {"text": {"en": "learner"}, "when": {"repaired_by": "learner"}},
    {"text": {"en": "nobody"}, "when": {"repaired_by": "nobody"}},
    {"text": {"en": "asia"}, "when": {"center": "asia"}},
    {"text": {"en": "dear"}, "when": {"cost_per_month": {"above": 1000}}},
]


def lab(fixed: tuple[str, ...] = ()) -> Experiment:
    data = {
        "topology": dump_topology(load_topology(TWO_SERVERS)),
        "duration_s": 10,
        "goal": {"conditions": [{"metric": "error_rate", "below": 0.01}]},
        "fixed": list(fixed),
        "debrief": PARTS,
    }
    return Experiment(data)


def shown(facts: RunFacts | None) -> list[str]:
    return [t["en"] for t in debriefs.chosen(PARTS, facts)]


def test_a_run_that_fixes_its_traffic_ignores_and_refuses_the_learners():
    fixed = lab(("traffic",))
    fixed.apply(SetTraffic(20.0))  # exploring: allowed, and seen
    assert fixed.session.sim.current_topology().traffic.rps == 20.0
    fixed.apply(RunExperiment())
    assert fixed.session.sim.current_topology().traffic.rps == 100.0  # the scenario's
    with pytest.raises(CommandError) as refused:
        fixed.apply(SetTraffic(20.0))
    assert refused.value.code == "fixed_traffic"
    assert fixed.session.sim.current_topology().traffic.rps == 100.0
    free = lab()
    free.apply(RunExperiment())
    free.apply(SetTraffic(20.0))
    assert free.session.sim.current_topology().traffic.rps == 20.0


def test_a_run_that_fixes_repairs_refuses_a_restore_and_a_free_one_remembers_it():
    fixed = lab(("repair",))
    fixed.apply(FailNode("web-1"))
    fixed.apply(RestoreNode("web-1"))  # exploring: allowed
    fixed.apply(RunExperiment())
    fixed.apply(FailNode("web-1"))
    with pytest.raises(CommandError) as refused:
        fixed.apply(RestoreNode("web-1"))
    assert refused.value.code == "fixed_repair"
    assert fixed.session.sim.is_down("web-1")
    assert shown(fixed.facts) == ["always", "nobody"]
    free = lab()
    free.apply(RunExperiment())
    free.apply(FailNode("web-1"))
    free.apply(RestoreNode("web-1"))
    assert not free.session.sim.is_down("web-1")
    assert shown(free.facts) == ["always", "learner"]


def test_facts_come_from_the_run_a_script_repair_a_center_and_the_cost():
    """Automation repairs web-1 2 s after it fails (automated_repair_s)."""
    sim = Simulation(load_topology(TWO_SERVERS), seed=1)
    sim.apply(SetOperations(monitoring=True, automation=True))
    sim.apply(AddDataCenter(region="asia"))
    facts = RunFacts()
    facts.observe(sim.advance(1.0))
    assert shown(facts) == ["always", "nobody", "asia"]
    sim.apply(FailNode("web-1"))
    for _ in range(4):
        facts.observe(sim.advance(1.0))
    assert not sim.is_down("web-1")
    assert facts.repaired_by == {"script"}
    cost = sim.snapshot().cost_per_month
    assert facts.cost_per_month == cost
    expected = ["always", "script", "asia"] + (["dear"] if cost > 1000 else [])
    assert shown(facts) == expected
    assert shown(None) == ["always"]  # met on an earlier visit: no run to tell about


def test_one_text_is_one_part_that_always_shows():
    assert debriefs.chosen({"en": "Done."}, None) == [{"en": "Done."}]
    assert debriefs.chosen({}, RunFacts()) == []


def test_the_shipped_data_centers_stage_names_the_center_the_learner_opened():
    plan, _raw = read_plan_file(PLANS_DIR / "scale-from-zero.yaml", source="plan")
    stage = plan.stage("data-centers")
    texts = {}
    for region in ("asia", "europe"):
        sim = Simulation(stage.run_topology(), seed=1)
        sim.apply(AddDataCenter(region=region))
        facts = RunFacts()
        facts.observe(sim.advance(1.0))
        texts[region] = " ".join(t["en"] + t["ko"] for t in debriefs.chosen(stage.debrief, facts))
    assert "moved its users to asia" in texts["asia"] and "europe" not in texts["asia"]
    assert "in europe" in texts["europe"] and "to asia" not in texts["europe"]
    assert "유럽" in texts["europe"]


def test_debrief_parts_are_checked_by_the_loader():
    text = (Path(__file__).parent / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    bad = text.replace(
        '    debrief: {en: "Vertical scaling works, for a while.", ko: 수직 확장은 한동안 통합니다.}',
        "    debrief:\n"
        "      - {when: {repaired_by: santa}, text: {en: A, ko: 가}}\n"
        "      - {when: {center: mars, cost_per_month: {about: 3}}, text: {en: B, ko: 나}}\n"
        "      - {when: {weather: sunny}, text: {en: C}}",
    )
    with pytest.raises(PlanError) as error:
        load_plan(bad, source="tiny.yaml")
    problems = "\n".join(error.value.problems)
    assert "stages[0].debrief[0].when.repaired_by: must be one of script, operator" in problems
    assert "stages[0].debrief[1].when.center: must be one of us-east, europe, asia" in problems
    assert "stages[0].debrief[1].when.cost_per_month: must be one comparison" in problems
    assert "stages[0].debrief[2].when.weather: unknown field" in problems
    assert "stages[0].debrief[2].text.ko: is required" in problems


@pytest.mark.django_db
def test_the_lesson_panel_shows_the_parts_this_run_calls_for_in_the_learners_language():
    parts = [
        {"text": {"en": "Always.", "ko": "항상."}, "when": {}},
        {"text": {"en": "By hand.", "ko": "손으로."}, "when": {"repaired_by": "learner"}},
        {"text": {"en": "By script.", "ko": "스크립트로."}, "when": {"repaired_by": "script"}},
    ]
    services.plan_load(plan=replace(plan(), stages=(stage("one", debrief=parts),)))
    saved = Stage.objects.get(slug="one")
    run = Experiment(saved.data)
    run.phase, run.result = Phase.DONE, GoalStatus(10.0, (), 5, 0, True)
    run.facts.learner_restored()
    english = fragments.lesson_context(run, saved, "en", done=False)["debrief"]
    korean = fragments.lesson_context(run, saved, "ko", done=False)["debrief"]
    assert "Always." in english and "By hand." in english and "By script." not in english
    assert "손으로." in korean and "By hand." not in korean
    later = Experiment(saved.data)  # met on an earlier visit: only what always shows
    shown_later = fragments.lesson_context(later, saved, "en", done=True)["debrief"]
    assert "Always." in shown_later and "By hand." not in shown_later


@pytest.mark.parametrize("fixed", ["[[traffic]]", "[{traffic: 1}]", "[weather]", "traffic"])
def test_a_malformed_fixed_list_is_a_problem_not_a_crash(fixed):
    """Found by the plan fuzz: a list inside ``fixed`` raised TypeError (unhashable)."""
    text = (Path(__file__).parent / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("    fixed: [traffic]"))
    with pytest.raises(PlanError) as error:
        load_plan(text.replace(line, f"    fixed: {fixed}"), source="tiny.yaml")
    assert "stages[0].fixed: must be a list of traffic, repair" in "\n".join(error.value.problems)


@pytest.mark.django_db
def test_a_debrief_of_several_parts_is_drawn_as_html_not_escaped():
    """Found in a screenshot: joined parts showed as "<p>You found…" on the page."""
    parts = [
        {"text": {"en": "**Always.**", "ko": "**항상.**"}, "when": {}},
        {"text": {"en": "Also.", "ko": "또한."}, "when": {}},
    ]
    services.plan_load(plan=replace(plan(), stages=(stage("one", debrief=parts),)))
    saved = Stage.objects.get(slug="one")
    run = Experiment(saved.data)
    run.phase, run.result = Phase.DONE, GoalStatus(10.0, (), 5, 0, True)
    context = fragments.lesson_context(run, saved, "en", done=False)
    html = render_to_string("lessons/stage.html#lesson", context)
    assert "<strong>Always.</strong>" in html and "<p>Also.</p>" in html
    assert "&lt;p&gt;" not in html
