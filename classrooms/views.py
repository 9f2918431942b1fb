"""The classroom's pages: an instructor's rooms, the console, the projector, the join
code's QR code and the results as CSV; a student's join form and their room.

Thin function views. The live parts of the console, projector and student pages are
drawn by their sockets (``consumers``, ``students``) from the room owner's state: the
pages hold the places they go, and the first message fills them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from classrooms import codes, join_limit, panels, selectors, services
from classrooms.models import Room
from classrooms.permissions import can_drive, can_run_rooms
from classrooms.protocol import NAME_LENGTH
from lessons.models import Plan, pick_text


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def _room(code: str) -> Room:
    try:
        return selectors.room_get(code=codes.normal(code))
    except Room.DoesNotExist:
        raise Http404(code) from None


def _driven(request: HttpRequest, code: str) -> Room:
    """The room ``code`` if the signed-in user drives it (else 404 or 403)."""
    room = _room(code)
    if not can_drive(request.user, room):
        raise PermissionDenied
    return room


def join_url(request: HttpRequest, room: Room) -> str:
    return request.build_absolute_uri(reverse("join_room", args=[room.code]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rooms(request: HttpRequest) -> HttpResponse:
    """The instructor's rooms, and the form that starts one from a lesson plan."""
    if not can_run_rooms(request.user):
        raise PermissionDenied
    problem = ""
    if request.method == "POST":
        try:
            room = services.room_create(
                instructor=request.user, plan_slug=str(request.POST.get("plan", ""))
            )
        except Plan.DoesNotExist:
            problem = _("Choose one of the lesson plans.")
        except ValidationError as refused:
            problem = refused.messages[0]
        else:
            return redirect("classrooms:console", room.code)
    lang = _lang()
    context = {
        "plans": [
            (slug, pick_text(title, lang) or slug) for slug, title in selectors.plan_choices()
        ],
        "rooms": [
            {"room": room, "title": room.title(lang)}
            for room in selectors.rooms_of(user=request.user)
        ],
        "problem": problem,
    }
    return render(request, "classrooms/rooms.html", context, status=400 if problem else 200)


def _room_page(request: HttpRequest, code: str, template: str) -> HttpResponse:
    room = _driven(request, code)
    if not room.active:
        return render(request, "classrooms/ended.html", {"room": room}, status=410)
    context = {"room": room, "title": room.title(_lang()), "join_url": join_url(request, room)}
    return render(request, template, context)


@login_required
@require_safe
def console(request: HttpRequest, code: str) -> HttpResponse:
    return _room_page(request, code, "classrooms/console.html")


@login_required
@require_safe
def projector(request: HttpRequest, code: str) -> HttpResponse:
    return _room_page(request, code, "classrooms/projector.html")


@login_required
@require_safe
def qr_code(request: HttpRequest, code: str) -> HttpResponse:
    """The join URL as a QR code (SVG), for the projector."""
    room = _driven(request, code)
    out = io.BytesIO()
    segno.make(join_url(request, room), error="m").save(out, kind="svg", scale=8, border=2)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_safe
def results_csv(request: HttpRequest, code: str) -> HttpResponse:
    """Each student's stage, answers, goal status and time on the stage, as CSV."""
    room = _driven(request, code)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "name", "here", "stage", "answers", "goal_met", "seconds_on_stage"])
    poll_stage = selectors.pinned_stage(
        room=room, index=selectors.control_of(room_id=room.id).poll.stage
    )
    numbers = bool((poll_stage.data.get("predict") or {}).get("estimate"))
    for row in panels.rows(room=room):  # a choice by its number from 1, an estimate as is
        answers = " ".join(
            "-" if a is None else str(a if numbers else a + 1) for a in row["answered"]
        )
        met = "" if row["met"] is None else ("yes" if row["met"] else "no")
        name = row["name"]
        if name[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
            name = "'" + name
        writer.writerow([row["number"], name, row["here"], row["stage"], answers, met,
                         int(row["stuck_s"])])  # fmt: skip
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="room-{room.code}.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """A student's way in: the code (from the URL or typed) and a display name; a seated
    student gets the room itself."""
    typed = codes.normal(str(request.POST.get("code", code)))
    room = _joinable(typed)
    if request.method != "POST" and room is not None and _seat(request, room) is not None:
        return render(
            request, "classrooms/student.html", {"room": room, "title": room.title(_lang())}
        )
    problem, status = "", 200
    name = str(request.POST.get("name", ""))
    if request.method == "POST":
        wait = join_limit.retry_after(request)
        if wait:
            problem, status = join_limit.message(wait), 429
        else:
            problem, status = _try_join(request, room, name), 400
        if not problem:
            assert room is not None
            return redirect("join_room", room.code)
    context: dict[str, Any] = {"code": typed, "name": name, "problem": problem,
                               "name_length": NAME_LENGTH, "code_length": codes.LENGTH}  # fmt: skip
    response = render(request, "classrooms/join.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(join_limit.retry_after(request))
    return response


def _joinable(code: str) -> Room | None:
    if not codes.looks_like_code(code):
        return None
    return Room.objects.filter(code=code, ended_at__isnull=True).first()


def _seat(request: HttpRequest, room: Room) -> Any:
    return selectors.participant_for(room=room, session_key=request.session.session_key or "")


def _try_join(request: HttpRequest, room: Room | None, name: str) -> str:
    """ "" when the session now holds a seat in ``room``, else why not."""
    if room is None:
        join_limit.count_failure(request)
        return _("There is no open class with this code. Check it on the board.")
    if request.session.session_key is None:
        request.session["classroom"] = True
        request.session.save()
    try:
        services.participant_join(
            room=room, name=name, session_key=str(request.session.session_key), user=request.user
        )
    except ValidationError as refused:
        return str(refused.messages[0])
    return ""
