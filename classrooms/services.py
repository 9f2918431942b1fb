"""Writes: starting and ending rooms, seats, answers, results, and the owner's saves.

Keyword-only entry points named ``<entity>_<action>``. Limits come from settings
(``CLASSROOM_MAX_PARTICIPANTS``, ``CLASSROOM_MAX_ROOMS_PER_INSTRUCTOR``); a refusal is a
``ValidationError`` with a translated message and a stable ``code``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms import codes, selectors
from classrooms.models import Participant, Room, Vote
from classrooms.permissions import can_run_rooms
from classrooms.protocol import clean_name, name_problem
from classrooms.state import Control
from lessons import services as lesson_services
from lessons.content import MAX_ESTIMATE, guess_fits
from lessons.models import Stage

CODE_TRIES = 20


def room_create(*, instructor: Any, plan_slug: str) -> Room:
    """A new room on the current version of plan ``plan_slug``, with a fresh join code."""
    if not can_run_rooms(instructor):
        raise PermissionDenied
    limit = settings.CLASSROOM_MAX_ROOMS_PER_INSTRUCTOR
    if selectors.active_rooms_count(user=instructor) >= limit:
        raise ValidationError(
            _("You already have %(limit)d rooms open: end one first.") % {"limit": limit},
            code="too_many_rooms",
        )
    pinned = selectors.plan_version_current(plan_slug=plan_slug)
    if not pinned.content["stages"]:
        raise ValidationError(_("This lesson plan has no stages."), code="empty_plan")
    for _try in range(CODE_TRIES):
        try:
            with transaction.atomic():
                return Room.objects.create(
                    code=codes.new_code(),
                    instructor=instructor,
                    plan_slug=pinned.slug,
                    plan_title=pinned.title,
                    plan_sha256=pinned.sha256,
                    plan_content=pinned.content,
                    control=Control().as_data(),
                )
        except IntegrityError:  # the code was taken: draw another
            continue
    raise RuntimeError("no free join code")  # pragma: no cover - 244 million codes


def room_end(*, room: Room) -> None:
    """End the room: nobody can join, the owner stops and gives the lease up."""
    if room.ended_at is None:
        room.ended_at = timezone.now()
        control = Control.from_data(room.control)
        room.control = {**control.as_data(), "ended": True}
        room.save(update_fields=["ended_at", "control"])


def co_instructor_add(*, room: Room, username: str) -> Any:
    """Let the user ``username`` drive the room too; ``ValidationError`` if there is none."""
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(
            _("There is no user “%(name)s”.") % {"name": username.strip()[:150]},
            code="no_such_user",
        )
    if user.pk != room.instructor_id:
        room.co_instructors.add(user)
    return user


@transaction.atomic
def participant_join(*, room: Room, name: str, session_key: str, user: Any) -> Participant:
    """Seat the session in the room (the same seat again when it comes back)."""
    shown = clean_name(name)
    if not shown:
        raise ValidationError(name_problem(), code="bad_name")
    if not room.active:
        raise ValidationError(_("This class has ended."), code="ended")
    signed_in = user if getattr(user, "is_authenticated", False) else None
    seat = Participant.objects.filter(room=room, session_key=session_key).first()
    if seat is not None:
        if seat.removed_at is not None:
            raise ValidationError(_("The instructor removed you from this class."), code="removed")
        seat.name, seat.user = shown, signed_in or seat.user
        seat.save(update_fields=["name", "user"])
        return seat
    Room.objects.select_for_update().filter(id=room.id).first()  # one join at a time
    if selectors.seated_count(room_id=room.id) >= settings.CLASSROOM_MAX_PARTICIPANTS:
        raise ValidationError(_("This class is full."), code="full")
    last = Participant.objects.filter(room=room).aggregate(n=Max("number"))["n"] or 0
    return Participant.objects.create(
        room=room,
        name=shown,
        session_key=session_key,
        user=signed_in,
        number=last + 1,
        stage_index=Control.from_data(room.control).stage,
    )


def participant_rename(*, room_id: int, participant_id: int, name: str) -> bool:
    shown = clean_name(name)
    if not shown:
        raise ValidationError(name_problem(), code="bad_name")
    return bool(Participant.objects.filter(id=participant_id, room_id=room_id).update(name=shown))


def participant_remove(*, room_id: int, participant_id: int) -> bool:
    """Take the seat away (the student's socket is closed; they cannot join again)."""
    return bool(
        Participant.objects.filter(
            id=participant_id, room_id=room_id, removed_at__isnull=True
        ).update(removed_at=timezone.now())
    )


def participant_move(*, participant_id: int, stage: int) -> None:
    """The student is on stage ``stage`` now (counted as stuck from now)."""
    Participant.objects.filter(id=participant_id).exclude(stage_index=stage).update(
        stage_index=stage, stage_since=timezone.now()
    )


def participants_move_all(*, room_id: int, stage: int) -> None:
    """The instructor moved the room: everyone is on ``stage``, from now."""
    Participant.objects.filter(room_id=room_id).update(
        stage_index=stage, stage_since=timezone.now(), result={}, design={}
    )


def participant_record_result(
    *, participant_id: int, result: dict[str, Any], design: dict[str, Any]
) -> None:
    Participant.objects.filter(id=participant_id).update(result=result, design=design)


def progress_credit(*, room_id: int, stage: int, participant_ids: set[int] | None = None) -> int:
    """The stage's goal was met in the room (or in a student's own copy): each signed-in
    student among ``participant_ids`` (default: everyone in the room now) has the stage
    done in their lessons' progress, as in self-study. Returns how many were credited."""
    room = Room.objects.filter(id=room_id).first()
    if room is None or not 0 <= stage < len(room.stages):
        return 0
    stored = Stage.objects.filter(
        plan__slug=room.plan_slug, slug=room.stages[stage]["slug"]
    ).first()
    if stored is None:  # the plan is gone from the lessons: nothing to credit
        return 0
    if participant_ids is None:
        participant_ids = selectors.live_participant_ids(room_id=room_id)
    seats = Participant.objects.filter(
        room_id=room_id, id__in=participant_ids, removed_at__isnull=True, user__isnull=False
    ).select_related("user")
    credited = 0
    for seat in seats:
        lesson_services.progress_complete(user=seat.user, session_key="", stage=stored)
        credited += 1
    return credited


def vote_cast(*, participant: Participant, choice: int) -> tuple[int, int]:
    """Answer the open poll (again, while it stays open); returns its (stage, round).

    ``ValidationError`` when no poll is open or the choice is not one of its answers
    (for an estimate: not a whole number from 0 to ``MAX_ESTIMATE``).
    """
    room = Room.objects.get(id=participant.room_id)
    control = Control.from_data(room.control)
    poll = control.poll
    if not poll.open or poll.round == 0 or room.ended_at is not None:
        raise ValidationError(_("No poll is open right now."), code="poll_closed")
    stage = selectors.pinned_stage(room=room, index=poll.stage)
    predict = stage.data.get("predict") or {}
    if predict.get("estimate") and not guess_fits(predict, choice):
        raise ValidationError(
            _("Type a whole number from 0 to %(most)s.") % {"most": f"{MAX_ESTIMATE:,}"},
            code="bad_estimate",
        )
    count = len(predict.get("choices") or [])
    if not predict.get("estimate") and not 0 <= choice < count:
        raise ValidationError(
            _("Choose one of the %(count)d answers.") % {"count": count}, code="bad_choice"
        )
    Vote.objects.update_or_create(
        participant=participant,
        stage_index=poll.stage,
        round=poll.round,
        defaults={"choice": choice},
    )
    return poll.stage, poll.round


def room_save_control(*, room_id: int, control: Control) -> None:
    fields: dict[str, Any] = {"control": control.as_data()}
    if control.ended:
        Room.objects.filter(id=room_id, ended_at__isnull=True).update(ended_at=timezone.now())
    Room.objects.filter(id=room_id).update(**fields)


def room_save_checkpoint(*, room_id: int, checkpoint: dict[str, Any]) -> None:
    Room.objects.filter(id=room_id).update(checkpoint=checkpoint, checkpoint_at=timezone.now())
