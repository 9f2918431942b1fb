"""check_lessons: a stage must fail without its lesson and pass with it, for every seed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from lessons.checker import check_stage, run_stage, with_experiments
from lessons.format import PlanError, load_plan, read_plan_file
from lessons.plans import plan_files

FIXTURES = Path(__file__).parent / "fixtures"
TINY_PATH = FIXTURES / "tiny.yaml"
TINY = TINY_PATH.read_text(encoding="utf-8")


def tiny(text: str = TINY):
    return load_plan(text, source="tiny.yaml")


def test_an_overloaded_server_misses_the_goal_and_a_bigger_one_meets_it():
    """200 rps on 4 workers × 25 ms (160 rps) piles up; 16 workers (640 rps) keep p99 near 25 ms × ln 100."""
    stage = tiny().stages[0]
    before = run_stage(stage, seed=1, solved=False).status
    after = run_stage(stage, seed=1, solved=True).status
    # Unsolved, the run stops at its first failed second, the first judged (seconds 6..20).
    assert not before.met and before.failed_s == before.checked_s == 1
    assert before.first_failure_s == 6 and not before.done
    assert after.met
    p99 = after.conditions[0].value
    assert p99 is not None and 80 < p99 < 200


def test_runs_repeat_exactly_for_a_seed():
    stage = tiny().stages[1]
    first, again = (run_stage(stage, seed=2, solved=True).status for _ in range(2))
    assert first == again


def test_scheduled_failure_breaks_a_single_server_but_not_two():
    result = check_stage(tiny().stages[1])
    assert result.ok and len(result.runs) == 6
    unsolved = [r for r in result.runs if not r.solved]
    assert len(unsolved) == 3  # one per seed, each judged below
    assert all(
        r.status.conditions[0].value == 1.0 for r in unsolved
    )  # web-1 is down: every request fails


def test_a_stage_passed_without_its_lesson_fails_the_check():
    easy = TINY.replace(
        "- {metric: p99_ms, below: 200}", "- {metric: p99_ms, below: 1000000}"
    ).replace("- {metric: error_rate, at_most: 0.01}", "- {metric: cost_per_month, at_least: 0}")
    result = check_stage(tiny(easy).stages[0])
    assert not result.ok
    assert result.problems()[0] == "seed 1: the goal is already met without doing the lesson"


def test_a_stage_that_cannot_be_passed_with_its_solution_fails_the_check():
    hard = TINY.replace("- {metric: p99_ms, below: 200}", "- {metric: p99_ms, below: 5}")
    result = check_stage(tiny(hard).stages[0], seeds=(1,))
    assert not result.ok
    problem = result.problems()[0]
    assert problem.startswith(
        "seed 1: the goal is not met with the solution (p99_ms below 5 failed in 15 of 15 s"
    )


def test_check_lessons_prints_one_line_per_stage():
    out = StringIO()
    call_command("check_lessons", str(TINY_PATH), stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert (
        lines[0].startswith("ok    ")
        and "tiny/bigger-server" in lines[0]
        and "(seeds 1, 2, 3)" in lines[0]
    )


def test_check_lessons_exits_non_zero_on_a_failing_stage(tmp_path):
    path = tmp_path / "easy.yaml"
    path.write_text(
        TINY.replace(
            "- {metric: p99_ms, below: 200}", "- {metric: p99_ms, below: 1000000}"
        ).replace(
            "- {metric: error_rate, at_most: 0.01}", "- {metric: cost_per_month, at_least: 0}"
        ),
        encoding="utf-8",
    )
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) in the lesson plans"):
        call_command("check_lessons", str(path), stdout=out)
    assert "FAIL  " in out.getvalue() and "already met without doing the lesson" in out.getvalue()


def test_check_lessons_reports_an_invalid_plan_and_an_unknown_slug(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(TINY.replace("format: 1", "format: 3"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_lessons", str(path), stderr=err)
    assert err.getvalue().strip().endswith("bad.yaml:2: format: must be 1")
    with pytest.raises(CommandError, match='no plan "no-such-plan"'):
        call_command("check_lessons", "no-such-plan")


def shipped_units() -> list[Any]:
    """Every stage and "try it" experiment of every shipped plan, in the order
    ``check_lessons`` checks them: one test each, so xdist spreads them over the cores (the
    whole plan in one test took minutes on one core while the other idled). A plan that
    does not load gives none here and fails ``test_every_shipped_plan_loads``."""
    units = []
    for path in plan_files():
        try:
            plan, _raw = read_plan_file(path, source=path.name)
        except PlanError:
            continue
        units += [
            pytest.param(unit, id=f"{plan.slug}/{name}")
            for stage in plan.stages
            for name, unit in with_experiments(stage)
        ]
    return units


@pytest.mark.parametrize("path", plan_files(), ids=lambda p: p.name)
def test_every_shipped_plan_loads(path):
    """CI runs check_lessons on every plan in lessons/plans/: each must load ..."""
    plan, _raw = read_plan_file(path, source=path.name)
    assert plan.stages


@pytest.mark.parametrize("unit", shipped_units())
def test_every_shipped_stage_and_experiment_passes_check_lessons(unit):
    """... and each of its stages and experiments must pass the check ``check_lessons``
    makes (``check_stage``: not met before, met with the solution, for every seed; no
    shortcut meets it unless the plan allows it), which would print ``ok`` for it."""
    result = check_stage(unit)
    assert result.ok, "; ".join(result.problems())
