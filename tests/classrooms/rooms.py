"""Opening a room's screens and reading what they are sent, for the consumer tests."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from asgiref.sync import sync_to_async
from conftest import make_user, new_room, screen, seat, session_for

from classrooms.models import Room

from helpers.websocket import HANG_S, error_of, pending, receive, send


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

    async def student(self, name: str, lang: str = "en") -> tuple[Any, int]:
        key, participant = await sync_to_async(seat)(self.room, name)
        return await self.open("student", key, lang), participant.id

    async def close(self) -> None:
        for ws in self.screens:
            await ws.disconnect()

    async def fresh(self) -> Room:
        return await sync_to_async(Room.objects.get)(id=self.room.id)
