"""Loading plans into the database, and a learner's progress through them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from architect import guest_rows
from lessons import selectors, services
from lessons.models import Progress, Stage

from helpers.plans import plan

pytestmark = pytest.mark.django_db


def test_plan_load_stores_stages_in_order_with_their_content():
    row = services.plan_load(
        plan=plan("one", "two", "three"), source_path="x.yaml", source_sha256="ab"
    )
    stages = list(row.stages.all())
    assert [(s.order, s.slug) for s in stages] == [(0, "one"), (1, "two"), (2, "three")]
    assert stages[1].text("title", "ko") == "단계 two"
    assert stages[1].text("goal.text", "en") == "Fast"
    assert stages[1].texts("predict.choices", "ko") == ["가", "나"]
    assert stages[1].texts("hints", "en") == ["Hint one"]
    assert stages[1].topology["nodes"][1]["id"] == "web-1"
    assert row.text("title", "ko") == "데모 계획" and row.source_sha256 == "ab"


def test_text_falls_back_to_the_plans_first_language():
    services.plan_load(plan=plan("one"))
    stage = selectors.stage_get(plan_slug="demo", stage_slug="one")
    assert stage.text("title", "fr") == "Stage one"
    assert stage.text("title", "ko-kr") == "단계 one"
    assert stage.text("nothing.here", "en") == ""


def test_reloading_keeps_progress_of_stages_that_remain_and_reorders():
    services.plan_load(plan=plan("one", "two", "three"))
    user = User.objects.create_user("ada")
    two = selectors.stage_get(plan_slug="demo", stage_slug="two")
    three = selectors.stage_get(plan_slug="demo", stage_slug="three")
    services.progress_complete(user=user, session_key="", stage=two)
    services.progress_complete(user=user, session_key="", stage=three)

    services.plan_load(plan=plan("two", "four", "one"))

    assert [(s.order, s.slug) for s in selectors.plan_get(slug="demo").stages.all()] == [
        (0, "two"),
        (1, "four"),
        (2, "one"),
    ]
    done = selectors.progress_for(user=user, session_key="", plan=selectors.plan_get(slug="demo"))
    assert list(done) == ["two"] and done["two"].completed
    assert not Stage.objects.filter(slug="three").exists()


def test_prediction_must_be_one_of_the_choices():
    services.plan_load(plan=plan("one"))
    stage = selectors.stage_get(plan_slug="demo", stage_slug="one")
    with pytest.raises(ValidationError):
        services.progress_record_prediction(user=None, session_key="s1", stage=stage, choice=2)
    with pytest.raises(ValidationError):
        services.progress_record_prediction(user=None, session_key="s1", stage=stage, choice=True)
    progress = services.progress_record_prediction(
        user=None, session_key="s1", stage=stage, choice=1
    )
    assert progress.prediction == 1 and Progress.objects.count() == 1


def test_a_learner_needs_a_user_or_a_session():
    services.plan_load(plan=plan("one"))
    stage = selectors.stage_get(plan_slug="demo", stage_slug="one")
    with pytest.raises(ValueError):
        services.progress_complete(user=None, session_key="", stage=stage)
    with pytest.raises(IntegrityError):
        Progress.objects.create(stage=stage)


def test_completing_twice_keeps_the_first_time():
    services.plan_load(plan=plan("one"))
    stage = selectors.stage_get(plan_slug="demo", stage_slug="one")
    first = services.progress_complete(user=None, session_key="s1", stage=stage).completed_at
    again = services.progress_complete(user=None, session_key="s1", stage=stage).completed_at
    assert first is not None and again == first


def test_merging_a_session_on_log_in_moves_and_merges_rows():
    services.plan_load(plan=plan("one", "two"))
    one = selectors.stage_get(plan_slug="demo", stage_slug="one")
    two = selectors.stage_get(plan_slug="demo", stage_slug="two")
    user = User.objects.create_user("ada")
    services.progress_record_prediction(user=user, session_key="", stage=one, choice=0)
    services.progress_record_prediction(user=None, session_key="s1", stage=one, choice=1)
    services.progress_complete(user=None, session_key="s1", stage=one)
    services.progress_complete(user=None, session_key="s1", stage=two)

    assert guest_rows.move(Progress, session_key="s1", user=user) == 2

    mine = selectors.progress_for(user=user, session_key="", plan=one.plan)
    assert mine["one"].prediction == 0 and mine["one"].completed and mine["two"].completed
    assert not Progress.objects.filter(session_key="s1").exists()
    assert selectors.progress_for(user=None, session_key="s1", plan=one.plan) == {}


def test_neighbours():
    services.plan_load(plan=plan("one", "two", "three"))
    two = selectors.stage_get(plan_slug="demo", stage_slug="two")
    before, after = selectors.stage_neighbours(stage=two)
    assert before is not None and before.slug == "one"
    assert after is not None and after.slug == "three"
