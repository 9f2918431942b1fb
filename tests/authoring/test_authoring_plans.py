"""Authored plans in the database: drafts with revisions, versions identified by their
content and pinned for learners and rooms, previews, remix, import and export."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from authoring import selectors, services
from authoring.models import PlanVersion
from classrooms import services as room_services
from lessons import selectors as lesson_selectors
from lessons import services as lesson_services
from lessons.models import Progress

from helpers.authoring import STARTER_TEXT, fast_passwords  # noqa: F401 (an autouse fixture)
from helpers.rooms import make_user

pytestmark = pytest.mark.django_db

BROKEN = STARTER_TEXT.replace("answer: 1", "answer: 7")


@pytest.fixture
def owner():
    return make_user("olivia", instructor=True)


def test_a_draft_saves_once_per_revision_and_a_stale_revision_is_a_conflict(owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    first = services.draft_save(plan=plan, text=STARTER_TEXT + "# a\r\n", revision=1, user=owner)
    assert first.revision == 2 and first.text.endswith("# a\n")  # CRLF from browsers → LF
    with pytest.raises(services.Conflict) as conflict:
        services.draft_save(plan=plan, text="theirs", revision=1, user=owner)
    assert conflict.value.draft.revision == 2
    plan.draft.refresh_from_db()
    assert plan.draft.text.endswith("# a\n")  # not overwritten


def test_a_version_is_its_content_and_learners_keep_the_one_they_started(owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    v1 = services.version_publish(plan=plan, user=owner)
    assert services.version_publish(plan=plan, user=owner).pk == v1.pk  # same text, same version
    stage = v1.lesson.stages.get()
    lesson_services.progress_complete(user=owner, session_key="", stage=stage)
    room = room_services.room_create(instructor=owner, plan_slug=v1.lesson.slug)
    assert selectors.affected(plan=plan) == selectors.Affected(learners=1, rooms=1)

    edited = STARTER_TEXT.replace("A bigger server", "A larger server")
    services.draft_save(plan=plan, text=edited, revision=1, user=owner)
    v2 = services.version_publish(plan=plan, user=owner)
    assert v2.number == 2 and v2.sha256 != v1.sha256 and v2.lesson.slug != v1.lesson.slug
    v1.lesson.refresh_from_db()
    assert v1.lesson.stages.get().text("title", "en") == "A bigger server"
    assert Progress.objects.get(user=owner).stage.plan_id == v1.lesson_id
    assert room.plan_slug == v1.lesson.slug and room.plan_sha256 == v1.sha256
    assert plan.latest_published() == v2
    # neither version is in the learners' library list nor the classroom's plan choices
    assert not lesson_selectors.plan_list().filter(slug__in=[v1.lesson.slug, v2.lesson.slug])


def test_a_draft_with_problems_is_kept_but_not_published(owner):
    plan = services.plan_create(owner=owner, text=BROKEN)
    assert plan.draft.text == BROKEN
    with pytest.raises(ValidationError):
        services.version_publish(plan=plan, user=owner)
    assert not PlanVersion.objects.exists()


def test_the_preview_is_the_saved_draft_and_follows_its_changes(owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    lesson, found = services.preview_load(plan=plan)
    assert found == [] and lesson is not None and not lesson.library
    services.draft_save(
        plan=plan, text=STARTER_TEXT.replace("A bigger", "A huge"), revision=1, user=owner
    )
    plan.refresh_from_db()
    again, _found = services.preview_load(plan=plan)
    assert again is not None
    assert again.pk == lesson.pk and again.stages.get().text("title", "en") == "A huge server"
    services.draft_save(plan=plan, text=BROKEN, revision=2, user=owner)
    plan.refresh_from_db()
    none, problems = services.preview_load(plan=plan)
    line = BROKEN.splitlines().index("      answer: 7") + 1
    assert none is None and [p["line"] for p in problems] == [line]


def test_builtin_plans_are_remixable_and_their_text_is_the_file(owner):
    builtins = selectors.builtin_plans()
    shipped = Path("lessons/plans/scale-from-zero.yaml").read_text("utf-8")
    found = next(b for b in builtins if b.slug == "scale-from-zero")
    assert found.text == shipped
    copy = services.plan_create(owner=owner, text=found.text, remixed_from="builtin:x")
    assert copy.draft.text == shipped and copy.slug == "scale-from-zero"
    other = services.plan_create(owner=owner, text=found.text)
    assert other.slug == "scale-from-zero-2"


def test_slugs_never_take_the_editor_own_addresses(owner):
    text = STARTER_TEXT.replace("slug: my-plan", "slug: library")
    assert services.plan_create(owner=owner, text=text).slug == "library-2"


def test_diff_marks_added_and_removed_lines():
    lines = selectors.diff(old="a\nb\n", new="a\nc\n", old_name="v1", new_name="draft")
    assert ("del", "-b") in lines and ("add", "+c") in lines


def test_co_editors_are_existing_users_other_than_the_owner(owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    make_user("bo")
    services.co_editor_add(plan=plan, username="bo")
    assert [u.username for u in plan.co_editors.all()] == ["bo"]
    for name in ("nobody", "olivia"):
        with pytest.raises(ValidationError):
            services.co_editor_add(plan=plan, username=name)
