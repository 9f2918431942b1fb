"""Reads: rooms, the plan a room pins, participants, presence, polls and results.

Keyword-only entry points (HackSoft style). ``plan_version_current`` is the one place
that decides which version of a plan a new room pins: today the plan as it is in the
database (every stage's ``Stage.data`` and the file's SHA-256); when plans get published
versions (issue #13) it returns a version id instead, and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from classrooms import presence
from classrooms.models import Participant, Presence, Room, Vote
from classrooms.state import Control
from lessons.models import Plan, Stage


@dataclass(frozen=True)
class PinnedPlan:
    slug: str
    title: dict[str, str]
    sha256: str
    content: dict[str, Any]  # {"languages": [...], "stages": [{"slug", "data"}, ...]}


def plan_version_current(*, plan_slug: str) -> PinnedPlan:
    """The plan as a new room pins it; raises ``Plan.DoesNotExist``."""
    plan = Plan.objects.prefetch_related("stages").get(slug=plan_slug)
    stages = [{"slug": s.slug, "data": s.data} for s in plan.stages.all()]
    return PinnedPlan(
        slug=plan.slug,
        title=dict(plan.title),
        sha256=plan.source_sha256,
        content={"languages": list(plan.languages), "stages": stages},
    )


def plan_choices() -> list[tuple[str, dict[str, str]]]:
    """(slug, title) of every plan with at least one stage."""
    plans = (
        Plan.objects.filter(library=True)
        .annotate(n=Count("stages"))
        .filter(n__gt=0)
        .order_by("slug")
    )
    return [(p.slug, dict(p.title)) for p in plans]


def pinned_stage(*, room: Room, index: int) -> Stage:
    """Stage ``index`` of the room's pinned plan, as an unsaved ``lessons`` Stage (its
    ``text``, ``texts`` and ``offered_controls`` work as on a stored one)."""
    stages = room.stages
    index = max(0, min(index, len(stages) - 1))
    plan = Plan(
        slug=room.plan_slug,
        title=room.plan_title,
        languages=room.plan_content.get("languages") or ["en"],
    )
    entry = stages[index]
    return Stage(plan=plan, order=index, slug=entry["slug"], data=entry["data"])


def room_get(*, code: str) -> Room:
    """The room with join code ``code``; raises ``Room.DoesNotExist``."""
    return Room.objects.select_related("instructor").get(code=code)


def rooms_of(*, user: Any) -> QuerySet[Room]:
    """Rooms ``user`` instructs or co-instructs, newest first."""
    mine = Room.objects.filter(instructor=user) | Room.objects.filter(co_instructors=user)
    return mine.distinct().order_by("-created_at")


def active_rooms_count(*, user: Any) -> int:
    return Room.objects.filter(instructor=user, ended_at__isnull=True).count()


def _seated(room_id: int) -> QuerySet[Participant]:
    """The room's participants still seated (not removed by the instructor)."""
    return Participant.objects.filter(room_id=room_id, removed_at__isnull=True)


def participant_for(*, room: Room, session_key: str) -> Participant | None:
    """The room's seat held by this session (None: not joined, or removed)."""
    if not session_key:
        return None
    return _seated(room.id).filter(session_key=session_key).first()


def seated_count(*, room_id: int) -> int:
    return _seated(room_id).count()


def live_presence(*, room_id: int) -> QuerySet[Presence]:
    cutoff = timezone.now() - timedelta(seconds=presence.alive_seconds())
    return Presence.objects.filter(room_id=room_id, seen_at__gte=cutoff)


def live_participant_ids(*, room_id: int) -> set[int]:
    rows = live_presence(room_id=room_id).filter(participant__isnull=False)
    return set(rows.values_list("participant_id", flat=True))


def anyone_here(*, room_id: int) -> bool:
    return live_presence(room_id=room_id).exists()


def _round_votes(room_id: int, stage: int, round: int) -> QuerySet[Vote]:
    """The seated participants' answers in one round of a stage's poll."""
    return Vote.objects.filter(
        participant__room_id=room_id,
        participant__removed_at__isnull=True,
        stage_index=stage,
        round=round,
    )


def vote_counts(*, room_id: int, stage: int, round: int, choices: int) -> list[int]:
    """How many answered each choice in one round of a stage's poll."""
    counts = [0] * choices
    rows = _round_votes(room_id, stage, round).values("choice").annotate(n=Count("id"))
    for row in rows:
        if 0 <= row["choice"] < choices:
            counts[row["choice"]] = row["n"]
    return counts


def vote_values(*, room_id: int, stage: int, round: int) -> list[int]:
    """Every answer (an estimate's numbers) in one round of a stage's poll."""
    return list(_round_votes(room_id, stage, round).values_list("choice", flat=True))


def votes_of(*, room_id: int, stage: int) -> dict[int, dict[int, int]]:
    """Each participant's answers on a stage: {participant id: {round: choice}}."""
    found: dict[int, dict[int, int]] = {}
    for vote in Vote.objects.filter(participant__room_id=room_id, stage_index=stage):
        found.setdefault(vote.participant_id, {})[vote.round] = vote.choice
    return found


def participants(*, room_id: int) -> list[Participant]:
    return list(_seated(room_id))


def control_of(*, room_id: int) -> Control:
    row = Room.objects.filter(id=room_id).values_list("control", flat=True).first()
    return Control.from_data(row)


def design_of(*, participant_id: int, room_id: int) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A participant's number, design and result (raises ``Participant.DoesNotExist``)."""
    row = Participant.objects.get(id=participant_id, room_id=room_id, removed_at__isnull=True)
    return row.number, dict(row.design), dict(row.result)
