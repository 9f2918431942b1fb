"""Reads: plans, stages and a learner's progress (HackSoft style, keyword-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lessons.models import Plan, Progress, Stage


def plan_list() -> QuerySet[Plan]:
    """Every plan of the library (not authored versions), by slug, stages prefetched."""
    return Plan.objects.filter(library=True).prefetch_related("stages")


def plan_get(*, slug: str) -> Plan:
    """The plan with ``slug``; raises ``Plan.DoesNotExist``."""
    return Plan.objects.get(slug=slug)


def stage_get(*, plan_slug: str, stage_slug: str) -> Stage:
    """The stage ``stage_slug`` of plan ``plan_slug`` (its plan joined); raises
    ``Stage.DoesNotExist``."""
    return Stage.objects.select_related("plan").get(plan__slug=plan_slug, slug=stage_slug)


def stage_neighbours(*, stage: Stage) -> tuple[Stage | None, Stage | None]:
    """The stages before and after ``stage`` in its plan (None at either end)."""
    siblings = Stage.objects.filter(plan_id=stage.plan_id)
    before = siblings.filter(order__lt=stage.order).order_by("-order").first()
    after = siblings.filter(order__gt=stage.order).order_by("order").first()
    return before, after


def progress_for(*, user: Any, session_key: str, plan: Plan) -> dict[str, Progress]:
    """A learner's progress in ``plan``, by stage slug (stages not started are absent).

    A logged-in ``user`` is looked up by user, anyone else by ``session_key``.
    """
    rows = Progress.objects.filter(stage__plan=plan).select_related("stage")
    if user is not None and getattr(user, "is_authenticated", False):
        rows = rows.filter(user=user)
    elif session_key:
        rows = rows.filter(user__isnull=True, session_key=session_key)
    else:
        return {}
    return {row.stage.slug: row for row in rows}


def stages_of(*, plan_slug: str, slugs: set[str]) -> QuerySet[Stage]:
    """The stages of plan ``plan_slug`` whose slugs are in ``slugs`` (their plan joined)."""
    return Stage.objects.select_related("plan").filter(plan__slug=plan_slug, slug__in=slugs)
