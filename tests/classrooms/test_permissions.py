"""Who may do what: every page and socket of a room, for anonymous, a student, another
instructor, the room's instructor, a co-instructor and staff."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from classrooms import services
from classrooms.models import Room

from helpers.rooms import make_user, new_room, screen, seat, session_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("room_ticks", "rooms_stopped"),
]


ROLES = ("anonymous", "student", "other_instructor", "instructor", "co_instructor", "staff")
# What each role gets from each page: 200 allowed, 403 refused, 302 sent to log in.
PAGES = {
    "rooms": {"anonymous": 302, "student": 302, "other_instructor": 200, "instructor": 200,
              "co_instructor": 403, "staff": 403},
    "start": {"anonymous": 302, "student": 302, "other_instructor": 302, "instructor": 302,
              "co_instructor": 403, "staff": 403},
    "console": {"anonymous": 302, "student": 302, "other_instructor": 403, "instructor": 200,
                "co_instructor": 200, "staff": 403},
    "projector": {"anonymous": 302, "student": 302, "other_instructor": 403, "instructor": 200,
                  "co_instructor": 200, "staff": 403},
    "qr": {"anonymous": 302, "student": 302, "other_instructor": 403, "instructor": 200,
           "co_instructor": 200, "staff": 403},
    "results": {"anonymous": 302, "student": 302, "other_instructor": 403, "instructor": 200,
                "co_instructor": 200, "staff": 403},
}  # fmt: skip
# Which sockets each role may open.
SOCKETS = {
    "console": {"instructor", "co_instructor"},
    "projector": {"instructor", "co_instructor"},
    "student": {"student"},
}


def cast() -> tuple[Room, dict[str, str]]:
    """A room and one session per role (the instructor "start"s rooms from "other")."""
    teacher = make_user("teacher", instructor=True)
    room = new_room(teacher)
    co = make_user("co", instructor=False)
    services.co_instructor_add(room=room, username="co")
    sessions = {
        "anonymous": "",
        "student": seat(room, "Min")[0],
        "other_instructor": session_for(make_user("other", instructor=True)),
        "instructor": session_for(teacher),
        "co_instructor": session_for(co),
        "staff": session_for(make_user("admin", staff=True)),
    }
    return room, sessions


def fetch(page: str, room: Room, session_key: str) -> int:
    client = Client()
    if session_key:
        client.cookies["sessionid"] = session_key
    if page == "start":
        return client.post("/classroom/", {"plan": "demo"}).status_code
    paths = {
        "rooms": "/classroom/",
        "console": f"/classroom/{room.code}/",
        "projector": f"/classroom/{room.code}/projector/",
        "qr": f"/classroom/{room.code}/qr.svg",
        "results": f"/classroom/{room.code}/results.csv",
    }
    return client.get(paths[page]).status_code


async def test_every_page_and_socket_for_every_role() -> None:
    room, sessions = await sync_to_async(cast)()
    pages: dict[tuple[str, str], int] = {}
    sockets: dict[tuple[str, str], bool] = {}
    for role in ROLES:
        for page in PAGES:
            pages[page, role] = await sync_to_async(fetch)(page, room, sessions[role])
        for kind in SOCKETS:
            ws = screen(room.code, kind, sessions[role])
            connected, _code = await ws.connect()
            sockets[kind, role] = connected
            await ws.disconnect()
    assert pages == {(page, role): PAGES[page][role] for page in PAGES for role in ROLES}
    assert sockets == {(kind, role): role in SOCKETS[kind] for kind in SOCKETS for role in ROLES}


async def test_a_student_socket_drives_nothing_and_a_projector_accepts_nothing(room_ticks) -> None:
    from helpers.websocket import error_of, receive, send

    room, sessions = await sync_to_async(cast)()
    student = screen(room.code, "student", sessions["student"])
    assert (await student.connect())[0]
    await receive(student)
    refused: dict[str, Any] = {}
    for action in ("poll_open", "poll_reveal", "room_stage", "room_end", "remove", "add_web_server",
                   "pause", "run"):  # fmt: skip
        room_ticks.clock.advance(1.0)  # within the message rate
        await send(student, action=action, stage="1", participant="1")
        while (said := error_of(await receive(student))) is None:
            pass
        refused[action] = said
    assert all(refused.values()), refused
    projector = screen(room.code, "projector", sessions["instructor"])
    assert (await projector.connect())[0]
    await receive(projector)
    await send(projector, action="poll_open")
    while (said := error_of(await receive(projector))) is None:
        pass
    assert said
    control = await sync_to_async(lambda: Room.objects.get(id=room.id).control)()
    assert control["poll"]["round"] == 0 and control["stage"] == 0 and not control["ended"]
    await student.disconnect()
    await projector.disconnect()


async def test_a_removed_student_cannot_come_back_and_an_ended_room_refuses_everyone() -> None:
    room, sessions = await sync_to_async(cast)()
    participant = await sync_to_async(lambda: room.participants.get())()
    await sync_to_async(services.participant_remove)(room_id=room.id, participant_id=participant.id)
    ws = screen(room.code, "student", sessions["student"])
    assert not (await ws.connect())[0]
    await sync_to_async(services.room_end)(room=room)
    for kind, role in (("console", "instructor"), ("projector", "instructor")):
        ws = screen(room.code, kind, sessions[role])
        assert not (await ws.connect())[0]
