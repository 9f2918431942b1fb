"""A room's people and screens for the classroom tests: users, a plan, seats, and the
sockets of a console, a projector and students, with what they are sent."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from classrooms import services
from classrooms.models import Participant, Room
from classrooms.permissions import instructors_group
from lessons import content
from lessons import services as lesson_services

from helpers.plans import TWO_TIERS, plan, stage
from helpers.websocket import HANG_S, ORIGIN, connect, error_of, pending, receive, send

# Stage two's question: how many servers (4, right within 25 %: 3 to 5).
ESTIMATE = content.Predict(
    question={"en": "How many?", "ko": "몇 대?"},
    choices=(),
    answer=0,
    why={"en": "Because.", "ko": "왜냐하면."},
    estimate=content.Estimate(answer=4, tolerance=0.25, unit={"en": "servers", "ko": "대"}),
)


def load_plan() -> None:
    """Two stages: the first asks a question (A or B; B is right) and has a goal (p99
    below 200 ms, judged from 1 s of a 3 s run); the second asks for an estimate."""
    one = stage("one", topology=TWO_TIERS, duration_s=3.0)
    one = replace(one, goal=replace(one.goal, from_s=1.0))
    two = stage("two", predict=ESTIMATE)
    lesson_services.plan_load(plan=replace(plan(), stages=(one, two)))


def make_user(username: str, *, instructor: bool = False, staff: bool = False) -> Any:
    user = get_user_model().objects.create_user(username, password="pw-long-enough-1")
    if staff:
        user.is_staff = True
        user.save()
    if instructor:
        user.groups.add(instructors_group())
    return get_user_model().objects.get(pk=user.pk)  # permissions not cached


def session_for(user: Any = None) -> str:
    """A saved session (signed in as ``user`` when given); its key."""
    session = SessionStore()
    if user is not None:
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
    else:
        session["classroom"] = True
    session.save()
    return str(session.session_key)


def new_room(teacher: Any) -> Room:
    load_plan()
    return services.room_create(instructor=teacher, plan_slug="demo")


def seat(room: Room, name: str, user: Any = None) -> tuple[str, Participant]:
    key = session_for(user)
    return key, services.participant_join(room=room, name=name, session_key=key, user=user)


def screen(code: str, kind: str, session_key: str = "", lang: str = "en") -> Any:
    headers = list(ORIGIN)
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return connect(f"/ws/classroom/{code}/{kind}/?lang={lang}", headers)


async def until_text(ws: Any, needle: str) -> str:
    """The first message (already sent or still to come) that contains ``needle``."""

    async def look() -> str:
        while True:
            html = await receive(ws)
            if needle in html:
                return html

    try:
        return await asyncio.wait_for(look(), HANG_S)
    except TimeoutError:
        raise AssertionError(f"no message contained {needle!r}") from None


async def reply(ws: Any, **fields: object) -> tuple[str, str]:
    """Send a message; the error it was answered with ("" when none) and the answer."""
    await send(ws, **fields)
    while (said := error_of(html := await receive(ws))) is None:
        pass
    return re.sub(r"<[^>]+>", "", said).strip(), html


async def refusal(ws: Any, **fields: object) -> str:
    """Send a message; the error it was answered with ("" when none)."""
    return (await reply(ws, **fields))[0]


def drained(ws: Any) -> str:
    return "".join(pending(ws))


class Room_:
    """A room with an instructor's console, a projector and students, opened in the test."""

    def __init__(self) -> None:
        self.screens: list[Any] = []

    async def start(self) -> Room:
        self.teacher = await sync_to_async(make_user)("teacher", instructor=True)
        self.room = await sync_to_async(new_room)(self.teacher)
        self.teacher_key = await sync_to_async(session_for)(self.teacher)
        return self.room

    async def open(self, kind: str, key: str, lang: str = "en") -> Any:
        ws = screen(self.room.code, kind, key, lang)
        connected, code = await ws.connect()
        assert connected, code
        self.screens.append(ws)
        self.first = await until_text(ws, 'id="diagram"')  # the whole room, drawn once
        return ws

    async def console(self, lang: str = "en") -> Any:
        return await self.open("console", self.teacher_key, lang)

    async def projector(self, lang: str = "en") -> Any:
        return await self.open("projector", self.teacher_key, lang)

    async def student(self, name: str, lang: str = "en", user: Any = None) -> tuple[Any, int]:
        """A student's phone (signed in as ``user`` when given) and their seat's id."""
        key, participant = await sync_to_async(seat)(self.room, name, user)
        return await self.open("student", key, lang), participant.id

    async def close(self) -> None:
        for ws in self.screens:
            await ws.disconnect()

    async def fresh(self) -> Room:
        return await sync_to_async(Room.objects.get)(id=self.room.id)
