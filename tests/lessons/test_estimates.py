"""A numeric prediction: the learner estimates a number, right within the stage's tolerance."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from architect.sim.commands import CommandError, Predict
from lessons import fragments, services
from lessons.experiment import Experiment, Phase
from lessons.format import PlanError, load_plan
from lessons.goals import GoalStatus
from lessons.models import Stage

TINY = (Path(__file__).parent / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
CHOICES = """      choices:
        - {en: Nothing, ko: 아무 일도 없다}
        - {en: The queue grows, ko: 대기열이 길어진다}
      answer: 1
"""
ESTIMATE = """      estimate: {answer: 160, tolerance: 0.1, unit: {en: requests a second, ko: 초당 건수}}
"""


def with_estimate(estimate: str = ESTIMATE, keep_choices: bool = False) -> str:
    assert CHOICES in TINY
    return TINY.replace(CHOICES, (CHOICES if keep_choices else "") + estimate)


def test_a_plan_states_an_estimate_instead_of_choices() -> None:
    stage = load_plan(with_estimate(), source="tiny.yaml").stages[0]
    data = stage.as_data()["predict"]
    assert "choices" not in data and "answer" not in data
    assert data["estimate"] == {
        "answer": 160,
        "tolerance": 0.1,
        "unit": {"en": "requests a second", "ko": "초당 건수"},
    }


@pytest.mark.parametrize(
    ("estimate", "keep", "problem"),
    [
        (ESTIMATE, True, "stages[0].predict.choices: a question with an estimate has no choices"),
        (
            ESTIMATE.replace("0.1,", "1.5,"),
            False,
            "stages[0].predict.estimate.tolerance: must be between 0 and 1",
        ),
        (
            ESTIMATE.replace("160", "16.5"),
            False,
            "stages[0].predict.estimate.answer: must be a whole number",
        ),
        (
            "      estimate: {answer: 160, tolerance: 0.1}\n",
            False,
            "stages[0].predict.estimate.unit: is required",
        ),
    ],
)
def test_a_malformed_estimate_is_a_problem(estimate: str, keep: bool, problem: str) -> None:
    with pytest.raises(PlanError) as error:
        load_plan(with_estimate(estimate, keep), source="tiny.yaml")
    assert any(line.endswith(problem) or problem in line for line in error.value.problems), (
        error.value.problems
    )


@pytest.mark.django_db
def test_the_learners_estimate_is_checked_against_the_tolerance_and_shown_with_its_unit() -> None:
    services.plan_load(plan=load_plan(with_estimate(), source="tiny.yaml"))
    saved = Stage.objects.get(slug="bigger-server")
    lab = Experiment(saved.data)
    with pytest.raises(CommandError) as bad:
        lab.apply(Predict(1_000_001))
    assert bad.value.code == "bad_estimate"
    assert lab.phase == Phase.PREDICT
    asking = render_to_string(
        "lessons/stage.html#lesson", fragments.lesson_context(lab, saved, "ko", done=False)
    )
    assert 'type="number"' in asking and "초당 건수" in asking and 'type="radio"' not in asking
    for guess, right in ((175, True), (145, True), (177, False), (40, False)):
        lab = Experiment(saved.data)
        lab.apply(Predict(guess))
        lab.phase, lab.result = Phase.DONE, GoalStatus(20.0, (), 15, 0, True)
        context = fragments.lesson_context(lab, saved, "en", done=False)
        assert (context["right"], context["prediction"]) == (right, f"{guess} requests a second")
        assert context["answer"] == "160 requests a second (± 10 %)"


@pytest.mark.django_db
def test_a_stored_estimate_is_validated_like_a_choice() -> None:
    services.plan_load(plan=load_plan(with_estimate(), source="tiny.yaml"))
    saved = Stage.objects.get(slug="bigger-server")
    services.progress_check_choice(stage=saved, choice=320)
    with pytest.raises(ValidationError):
        services.progress_check_choice(stage=saved, choice=-1)
