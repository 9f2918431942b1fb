"""Writes: create, save, publish, share (HackSoft style, keyword-only).

Publishing and previewing load the plan into ``lessons`` with ``lessons.services.plan_load``
as a plan of its own, outside the library, so the learner's stage page and its socket serve
it unchanged and progress and rooms point at that copy.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from authoring import problems
from authoring.models import Draft, Plan, PlanVersion
from lessons import content
from lessons import services as lesson_services
from lessons.format import MAX_FILE_BYTES
from lessons.models import Plan as LessonPlan

MAX_CO_EDITORS = 20
RESERVED = frozenset({"library", "new"})  # addresses of authoring's own pages


class Conflict(Exception):
    """Someone saved the draft since this editor loaded it."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        super().__init__(f"draft is at revision {draft.revision}")


def _free_slug(wanted: str) -> str:
    base = slugify(wanted)[:50].strip("-") or "plan"
    slug, n = base, 1
    while slug in RESERVED or Plan.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def plan_create(*, owner: Any, text: str, remixed_from: str = "") -> Plan:
    """A new plan whose draft is ``text`` (kept even with problems: it can be fixed)."""
    text = problems.normalise(text)
    check_size(text)
    parsed, _found = problems.parse(text)
    plan = Plan.objects.create(
        slug=_free_slug(parsed.slug if parsed else "plan"),
        owner=owner,
        title=dict(parsed.title) if parsed else {},
        remixed_from=remixed_from[:200],
    )
    Draft.objects.create(plan=plan, text=text, updated_by=owner)
    return plan


def check_size(text: str) -> None:
    """A draft is held to the loader's limit for a plan file (1 MiB)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ValidationError(_("A plan file may be at most 1 MiB."), code="too_big")


def draft_save(*, plan: Plan, text: str, revision: int, user: Any) -> Draft:
    """Save ``text`` over revision ``revision``; raises ``Conflict`` when the draft moved on
    and ``ValidationError`` when it is too big."""
    text = problems.normalise(text)
    check_size(text)
    saved = Draft.objects.filter(plan=plan, revision=revision).update(
        text=text, revision=F("revision") + 1, updated_by=user
    )
    draft = Draft.objects.get(plan=plan)
    if not saved:
        raise Conflict(draft)
    parsed, _found = problems.parse(text)
    if parsed is not None:
        Plan.objects.filter(pk=plan.pk).update(title=dict(parsed.title))
    else:
        Plan.objects.filter(pk=plan.pk).update()  # touch updated_at
    return draft


def parsed_form(plan: content.Plan) -> dict[str, Any]:
    return {
        "slug": plan.slug,
        "title": dict(plan.title),
        "languages": list(plan.languages),
        "stages": [{"slug": s.slug, "line": s.line, "data": s.as_data()} for s in plan.stages],
    }


def _load_lesson(plan: content.Plan, *, slug: str, sha256: str) -> LessonPlan:
    return lesson_services.plan_load(
        plan=dataclasses.replace(plan, slug=slug),
        source_path=f"authoring:{slug}",
        source_sha256=sha256,
        library=False,
    )


@transaction.atomic
def version_publish(*, plan: Plan, user: Any) -> PlanVersion:
    """Publish the draft as it is: the version with the same text again, else a new one."""
    draft = Draft.objects.select_for_update().get(plan=plan)
    parsed, found = problems.parse(draft.text)
    if parsed is None:
        raise ValidationError(
            _("Fix the %(count)d problems before publishing.") % {"count": len(found)},
            code="problems",
        )
    sha = problems.sha256(draft.text)
    version = PlanVersion.objects.filter(plan=plan, sha256=sha).first()
    if version is None:
        number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PlanVersion.objects.create(
            plan=plan,
            number=number,
            text=draft.text,
            parsed=parsed_form(parsed),
            sha256=sha,
            created_by=user,
        )
    if version.lesson is None:
        version.lesson = _load_lesson(parsed, slug=f"{plan.slug}-{sha[:12]}", sha256=sha)
    version.published = True
    version.save(update_fields=["lesson", "published"])
    return version


def version_unpublish(*, version: PlanVersion) -> None:
    """New learners no longer get it; those who started keep it."""
    PlanVersion.objects.filter(pk=version.pk).update(published=False)


def preview_load(*, plan: Plan) -> tuple[LessonPlan | None, list[problems.Problem]]:
    """The draft as learners would get it (reloaded when it changed), or its problems."""
    draft = plan.draft
    parsed, found = problems.parse(draft.text)
    if parsed is None:
        return None, found
    sha = problems.sha256(draft.text)
    if draft.preview is not None and draft.preview_sha256 == sha:
        return draft.preview, []
    slug = draft.preview.slug if draft.preview else f"{plan.slug}-p{secrets.token_hex(8)}"
    draft.preview = _load_lesson(parsed, slug=slug, sha256=sha)
    draft.preview_sha256 = sha
    draft.save(update_fields=["preview", "preview_sha256"])
    return draft.preview, []


def plan_share(*, plan: Plan, visibility: str) -> None:
    if visibility not in Plan.Visibility.values:
        raise ValidationError(_("Choose who may see the plan."), code="visibility")
    plan.visibility = visibility
    plan.save(update_fields=["visibility", "updated_at"])


def co_editor_add(*, plan: Plan, username: str) -> Any:
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(_("No user is called “%(name)s”.") % {"name": username[:40]})
    if user.pk == plan.owner_id:
        raise ValidationError(_("The owner already edits this plan."))
    if plan.co_editors.count() >= MAX_CO_EDITORS:
        raise ValidationError(
            _("A plan may have at most %(limit)d co-editors.") % {"limit": MAX_CO_EDITORS}
        )
    plan.co_editors.add(user)
    return user


def co_editor_remove(*, plan: Plan, user_id: int) -> None:
    plan.co_editors.remove(user_id)
