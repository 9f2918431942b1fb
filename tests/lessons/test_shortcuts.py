"""check_lessons' shortcut search: a way to meet a goal without the lesson fails the check,
unless the stage fixes it out of the run or allows it with a reason."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lessons.checker import check_stage, run_stage
from lessons.format import PlanError, load_plan
from lessons.shortcuts import search, shortcuts_for, try_shortcut

FIXTURES = Path(__file__).parent / "fixtures"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
FIXED_REPAIR = (
    "    fixed: [repair]                          # nobody restores web-1 by hand during the run\n"
)
ALLOW_XL = """    shortcuts:                               # xl is a bigger server too: the lesson itself
      - allow: every_node_xl
        reason: Any bigger size is vertical scaling, which is what this stage teaches.
"""


def tiny(text: str = TINY):
    return load_plan(text, source="tiny.yaml")


def outcome(stage, key: str):
    return next(o for o in search(stage) if o.shortcut.key == key)


def test_restoring_by_hand_gets_round_a_failure_unless_the_stage_fixes_repairs(tmp_path):
    """web-1 back 1 ms after it fails: the errors of that millisecond fall before from_s (14 s)."""
    planted = TINY.replace(FIXED_REPAIR, "")
    assert planted != TINY
    stage = tiny(planted).stages[1]
    assert outcome(stage, "restore_by_hand").met
    result = check_stage(stage, seeds=(1,))
    assert not result.ok
    assert result.problems() == [
        "shortcut restore_by_hand: restore every failed node by hand meets the goal (seed 1)"
    ]
    fixed = tiny().stages[1]
    assert outcome(fixed, "restore_by_hand").blocked == "fixed: repair"
    assert check_stage(fixed, seeds=(1,)).ok


def test_check_lessons_fails_on_a_planted_shortcut_naming_stage_and_shortcut(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace(FIXED_REPAIR, ""), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_lessons", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ok    ") and "shortcuts: allowed every_node_xl" in lines[0]
    assert lines[1].startswith("FAIL  ") and "tiny/survive-a-failure" in lines[1]
    assert "shortcut restore_by_hand" in lines[1]


def test_an_allowed_shortcut_passes_and_an_undeclared_one_fails():
    """200 rps on one s server (160 rps): xl's 32 workers (1,280 rps) meet the goal too."""
    allowed = tiny().stages[0]
    assert outcome(allowed, "every_node_xl").met
    assert check_stage(allowed, seeds=(1,)).ok
    undeclared = tiny(TINY.replace(ALLOW_XL, "")).stages[0]
    problems = check_stage(undeclared, seeds=(1,)).problems()
    assert problems == ["shortcut every_node_xl: every node xl meets the goal (seed 1)"]


def test_lower_traffic_is_a_shortcut_unless_the_stage_fixes_its_traffic():
    """20 rps on a 160 rps server keeps p99 near 25 ms × ln 100 ≈ 115 ms, under 200."""
    loose = tiny(TINY.replace("    fixed: [traffic]  ", "    # fixed: [traffic]")).stages[0]
    lowered = outcome(loose, "minimum_traffic")
    assert lowered.met and lowered.status is not None
    p99 = lowered.status.conditions[0].value
    assert p99 is not None and p99 < 200
    assert outcome(tiny().stages[0], "minimum_traffic").blocked == "fixed: traffic"


def test_a_needless_step_of_the_solution_is_a_shortcut():
    extra = TINY.replace(
        "      - {action: add_web_server}\n    controls",
        "      - {action: add_web_server}\n      - {action: add_web_server}\n    controls",
    )
    stage = tiny(extra).stages[1]
    keys = [s.key for s in shortcuts_for(stage)]
    assert "without_step_3" not in keys  # the same as without step 2: tried once
    needless = outcome(stage, "without_step_2")
    assert needless.met
    assert not check_stage(stage, seeds=(1,)).ok


def test_a_shortcut_run_stops_at_its_first_failed_second():
    stage = tiny().stages[1]
    nothing = next(s for s in shortcuts_for(stage) if s.key == "nothing")
    status = try_shortcut(stage, nothing, seed=1).status
    assert status is not None and not status.met
    assert status.checked_s == status.failed_s == 1 and status.first_failure_s == 15


def test_a_shortcut_that_changes_nothing_is_not_run_again():
    """web-1 already xl: ``every_node_xl`` changes nothing, so its outcome is the run
    without changes the check already made (the same as running it); at size s it runs."""
    stage = tiny(TINY.replace("size: s, service_ms", "size: xl, service_ms")).stages[0]
    xl = next(s for s in shortcuts_for(stage) if s.key == "every_node_xl")
    nothing = run_stage(stage, seed=1, solved=False).status
    reused = try_shortcut(stage, xl, seed=1, nothing=nothing)
    assert reused.status is nothing
    assert reused == try_shortcut(stage, xl, seed=1)
    small = tiny().stages[0]
    unchanged = run_stage(small, seed=1, solved=False).status
    resized = try_shortcut(small, xl, seed=1, nothing=unchanged)
    assert resized.met and not unchanged.met


def test_restoring_by_hand_with_nothing_ever_down_is_not_run_again():
    """No scripted failure: the check's run without changes never had anything to
    restore, so restoring by hand is that run; told something was due, it runs."""
    stage = tiny(TINY.replace("controls: [resize, set_traffic]", "controls: [resize, restore]"))
    stage = stage.stages[0]
    result = check_stage(stage, seeds=(1,))
    nothing = result.runs[0].status  # seed 1, without the solution
    by_hand = next(o for o in result.shortcuts if o.shortcut.key == "restore_by_hand")
    assert by_hand.status is nothing and not by_hand.blocked
    shortcut = next(s for s in shortcuts_for(stage) if s.key == "restore_by_hand")
    assert try_shortcut(stage, shortcut, seed=1, nothing=nothing, repairs=False).status is nothing
    ran = try_shortcut(stage, shortcut, seed=1, nothing=nothing, repairs=True)
    assert ran.status is not nothing and ran == try_shortcut(stage, shortcut, seed=1)


def test_stage_rules_are_checked_by_the_loader():
    bad = TINY.replace("    fixed: [traffic]  ", "    fixed: [weather]  ").replace(
        "      - allow: every_node_xl\n        reason: Any",
        "      - allow: every_node_xs\n        reason: Any",
    )
    with pytest.raises(PlanError) as error:
        tiny(bad)
    problems = "\n".join(error.value.problems)
    assert "stages[0].fixed: must be a list of traffic, repair" in problems
    assert "stages[0].shortcuts[0].allow: must be one of minimum_traffic" in problems


def test_a_solution_cannot_use_what_its_stage_fixes():
    bad = TINY.replace(
        "      - {action: resize, node: web-1, size: l}\n",
        "      - {action: resize, node: web-1, size: l}\n      - {action: set_traffic, rps: 100}\n",
    )
    with pytest.raises(PlanError) as error:
        tiny(bad)
    assert any(
        "stages[0].solution[1]: the stage fixes traffic for its run" in p
        for p in error.value.problems
    )


def _trying(actions: str) -> str:
    return TINY.replace(
        ALLOW_XL, ALLOW_XL + f"      - try: smaller\n        actions: [{actions}]\n"
    )


def test_a_wrong_answer_the_plan_names_is_tried_and_must_not_meet_the_goal():
    """200 rps: an m server (320 rps) meets stage 0's goal, an s one (160 rps) does not."""
    wrong = tiny(_trying("{action: resize, node: web-1, size: s}")).stages[0]
    tried = outcome(wrong, "smaller")
    assert not tried.met and str(tried.shortcut.label).startswith("the plan's wrong answer")
    assert check_stage(wrong, seeds=(1,)).ok
    right = tiny(_trying("{action: resize, node: web-1, size: m}")).stages[0]
    assert outcome(right, "smaller").met
    problems = check_stage(right, seeds=(1,)).problems()
    assert problems == [
        "shortcut smaller: the plan's wrong answer smaller (resize node: web-1, size: m) "
        "meets the goal (seed 1)"
    ]


def test_a_wrong_answer_needs_a_new_name_and_actions():
    with pytest.raises(PlanError) as error:
        tiny(_trying("{action: fly}").replace("try: smaller", "try: every_node_xl"))
    problems = "\n".join(error.value.problems)
    assert "stages[0].shortcuts[1].try: must be a new name" in problems
