"""A guest's rows move to another owner and absorb what that owner has in the same scope
(architect/guest_rows.py): the same rules for every model a learner keeps."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from architect import guest_rows
from architect.sandbox.models import KeptSimulation
from lessons import services
from lessons.models import Progress

from helpers.plans import plan

pytestmark = pytest.mark.django_db


def test_both_kinds_of_row_are_moved_for_every_model():
    assert set(guest_rows.guest_owned_models()) == {KeptSimulation, Progress}


def test_a_guests_kept_simulation_replaces_the_other_sessions_in_the_same_place():
    KeptSimulation.objects.create(place="sandbox", session_key="guest", data={"v": "new"})
    KeptSimulation.objects.create(place="sandbox", session_key="other", data={"v": "old"})
    KeptSimulation.objects.create(place="compare:a", session_key="guest", data={"v": "a"})

    assert guest_rows.move_all(session_key="guest", to_session_key="other") == 2

    kept = {row.place: row.data for row in KeptSimulation.objects.filter(session_key="other")}
    assert kept == {"sandbox": {"v": "new"}, "compare:a": {"v": "a"}}
    assert not KeptSimulation.objects.filter(session_key="guest").exists()


def test_a_users_prediction_wins_and_the_earlier_completions_are_kept():
    stage = services.plan_load(plan=plan("one")).stages.get()
    user = User.objects.create_user("ada")
    services.progress_record_prediction(user=user, session_key="", stage=stage, choice=0)
    guest = services.progress_complete(user=None, session_key="guest", stage=stage)
    Progress.objects.filter(user=user).update(experiments={"a": {"prediction": 1}})
    done = {"completed_at": "2026-11-30T12:00:00+00:00"}
    Progress.objects.filter(session_key="guest").update(experiments={"a": done, "b": done})

    assert guest_rows.move(Progress, session_key="guest", user=user) == 1

    row = Progress.objects.get()
    assert (row.user, row.prediction, row.completed_at) == (user, 0, guest.completed_at)
    assert row.experiments == {"a": {"prediction": 1, **done}, "b": done}


def test_nothing_moves_without_somewhere_else_to_go():
    KeptSimulation.objects.create(place="sandbox", session_key="guest", data={})
    for target in ("", "guest"):
        assert guest_rows.move_all(session_key="guest", to_session_key=target) == 0
    assert guest_rows.move_all(session_key="", to_session_key="other") == 0
    assert KeptSimulation.objects.get().session_key == "guest"
