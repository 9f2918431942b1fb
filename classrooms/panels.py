"""The room's own panels on each screen, drawn from a state message (``RoomView``):
the console's room controls, poll results and board, the projector's title, key figures,
poll, board and spotlight, and the instructors' dashboard (read from the database).

Each panel is a named partial of ``classrooms/parts.html``, drawn again only when what
it shows changed (``fragments.Parts``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from architect.sandbox.metrics import values
from classrooms import selectors
from classrooms.fragments import (
    TEXTS_KEPT,
    Parts,
    RoomView,
    board_context,
    poll_context,
    render,
    room_stage_context,
    spotlight_context,
)
from classrooms.models import Room
from lessons.models import Stage


def _drawn(parts: Parts, names_contexts: list[tuple[str, dict[str, Any]]], full: bool) -> str:
    if full:
        parts.forget()
    drawn = [
        (name, context) for name, context in names_contexts if parts.changed(name, repr(context))
    ]
    return "".join(render([name], context) for name, context in drawn)


def stages_menu(room: Room, lang: str, current: int) -> list[dict[str, Any]]:
    titles = _TITLES.get((room.id, lang))
    if titles is None:  # the pinned plan's titles never change
        if len(_TITLES) >= TEXTS_KEPT:
            _TITLES.clear()
        titles = _TITLES[room.id, lang] = [
            selectors.pinned_stage(room=room, index=i).text("title", lang)
            for i in range(len(room.stages))
        ]
    return [
        {"index": i, "number": i + 1, "title": title, "current": i == current}
        for i, title in enumerate(titles)
    ]


_TITLES: dict[tuple[int, str], list[str]] = {}
_STAGE_TEXTS: dict[tuple[int, int, str], dict[str, Any]] = {}


def run_context(view: RoomView) -> dict[str, Any]:
    return {"phase": view.run["phase"], "runs": view.run["runs"], "paused": view.status.paused}


def console_parts(
    view: RoomView, stage: Stage, lang: str, parts: Parts, room: Room, *, full: bool
) -> str:
    control = view.control
    room_context = {
        "control": control,
        "stages": stages_menu(room, lang, control.stage),
        "run": run_context(view),
        "poll": poll_context(view, stage, lang),
        **room_stage_context(room, stage, lang),
    }
    return _drawn(
        parts,
        [
            ("console-room", room_context),
            ("poll-results", {"poll": room_context["poll"], "console": True}),
            ("board", {"board": board_context(view), "console": True, "trying": control.trying}),
        ],
        full,
    )


def projector_parts(
    view: RoomView, stage: Stage, lang: str, parts: Parts, room: Room, *, full: bool
) -> str:
    metrics = values(view.snapshot, view.snapshot.settings)
    return _drawn(
        parts,
        [
            (
                "projector-stage",
                {**room_stage_context(room, stage, lang), "run": run_context(view)},
            ),
            ("projector-metrics", {"metrics": metrics}),
            ("poll-results", {"poll": poll_context(view, stage, lang), "console": False}),
            (
                "board",
                {"board": board_context(view), "console": False, "trying": view.control.trying},
            ),
            ("spotlight", {"spotlight": spotlight_context(view)}),
        ],
        full,
    )


def stuck_text(seconds: float) -> str:
    """How long on a stage, to the minute: the dashboard changes (and is drawn again for
    the console) once a minute for it, not at every refresh."""
    if seconds < 60:
        return _("under a minute")
    return _("%(n)d min") % {"n": int(seconds // 60)}


def rows(*, room: Room) -> list[dict[str, Any]]:
    """The dashboard: each student, here or not, their stage, answer (hidden until the
    poll is revealed), goal status, and how long they have been stuck (longest first).

    Stuck: on the same stage without having met its goal, since they reached it."""
    now = timezone.now()
    control = selectors.control_of(room_id=room.id)
    here = selectors.live_participant_ids(room_id=room.id)
    votes = selectors.votes_of(room_id=room.id, stage=control.poll.stage)
    found = []
    for seat in selectors.participants(room_id=room.id):
        answers = votes.get(seat.id, {})
        met = seat.result.get("met") if seat.result else None
        stuck = (now - seat.stage_since) if met is not True else timedelta(0)
        found.append(
            {
                "id": seat.id,
                "name": seat.name,
                "number": seat.number,
                "here": seat.id in here,
                "stage": seat.stage_index + 1,
                "answered": [answers.get(r) for r in range(1, control.poll.round + 1)],
                "revealed": control.poll.revealed,
                "met": met,
                "phase": seat.result.get("phase", "") if seat.result else "",
                "stuck_s": stuck.total_seconds(),
            }
        )
    found.sort(key=lambda row: (not row["here"], -row["stuck_s"]))
    return found


def answer_text(stage: Stage, answer: int, lang: str) -> str:
    """A student's answer as the dashboard shows it: the chosen letter's text, or an
    estimate's number."""
    if (stage.data.get("predict") or {}).get("estimate"):
        return f"{answer:,}"
    letters = stage.texts("predict.choices", lang)
    return letters[answer] if 0 <= answer < len(letters) else "?"


def dashboard_html(*, room: Room, lang: str, drawn: object = None) -> tuple[object, str]:
    """(what it shows, the dashboard's partial in ``lang``), or (``drawn``, "") when it
    shows what ``drawn`` says the console already has: sixty rows of forms are the
    costliest drawing of a room, and drawing them again closes any rename form an
    instructor has open (reads the database: call from a thread)."""
    with translation.override(lang):
        context = _dashboard(rows(room=room), room, lang)
        shown = repr(context)
        if shown == drawn:
            return drawn, ""
        return shown, render(["dashboard"], context)


def _dashboard(found: list[dict[str, Any]], room: Room, lang: str) -> dict[str, Any]:
    stage = selectors.pinned_stage(
        room=room, index=selectors.control_of(room_id=room.id).poll.stage
    )
    for row in found:
        row["stuck"] = stuck_text(row.pop("stuck_s")) if row["met"] is not True else "—"
        row["answers"] = [
            "—"
            if a is None
            else (answer_text(stage, a, lang) if row["revealed"] else _("answered"))
            for a in row["answered"]
        ]
    return {"rows": found, "here": sum(r["here"] for r in found), "total": len(found)}
