"""Reads: my plans, the library, what a new version would affect, diffs (keyword-only)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from authoring.models import Plan, PlanVersion
from classrooms.models import Room
from lessons.models import Plan as LessonPlan
from lessons.models import Progress
from lessons.plans import plan_files


def plans_of(*, user: Any) -> QuerySet[Plan]:
    """The plans ``user`` owns or co-edits (staff: every plan)."""
    plans = Plan.objects.select_related("owner", "draft")
    if user.is_staff:
        return plans
    return plans.filter(Q(owner=user) | Q(co_editors=user)).distinct()


def listed_plans() -> QuerySet[Plan]:
    """Plans in the public library: listed, with a published version."""
    return (
        Plan.objects.filter(visibility=Plan.Visibility.LISTED, versions__published=True)
        .select_related("owner")
        .distinct()
    )


@dataclass(frozen=True)
class BuiltIn:
    """A shipped plan (``lessons/plans/*.yaml``): read-only, remixable."""

    slug: str
    title: dict[str, str]
    text: str


def builtin_plans() -> list[BuiltIn]:
    rows = {p.source_path: p for p in LessonPlan.objects.filter(library=True)}
    found = []
    for path in plan_files():
        row = rows.get(f"lessons/plans/{path.name}")
        slug = row.slug if row else path.stem
        found.append(BuiltIn(slug, dict(row.title) if row else {}, path.read_text("utf-8")))
    return found


def builtin_get(*, slug: str) -> BuiltIn | None:
    return next((b for b in builtin_plans() if b.slug == slug), None)


@dataclass(frozen=True)
class Affected:
    learners: int  # signed-in users and guest sessions with progress on a published version
    rooms: int  # open classroom rooms pinned to one


def affected(*, plan: Plan) -> Affected:
    """Who is on an earlier published version: they keep it; a new version is for the rest."""
    lessons = list(
        plan.versions.filter(lesson__isnull=False).values_list("lesson__slug", flat=True)
    )
    progress = Progress.objects.filter(stage__plan__slug__in=lessons)
    users = progress.filter(user__isnull=False).values("user").distinct().count()
    guests = progress.filter(user__isnull=True).values("session_key").distinct().count()
    rooms = Room.objects.filter(plan_slug__in=lessons, ended_at__isnull=True).count()
    return Affected(users + guests, rooms)


def diff(*, old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """A unified diff, each line with its kind: ``add``, ``del``, ``hunk`` or ``same``."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2
    )
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    return [(kinds.get(line[:1], "same"), line) for line in lines]


def version_get(*, plan: Plan, number: int) -> PlanVersion:
    return PlanVersion.objects.get(plan=plan, number=number)
