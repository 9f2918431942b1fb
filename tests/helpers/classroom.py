"""Fixtures for the classroom tests (a pytest plugin: ``-p helpers.classroom``).

``room_ticks``: the room owner's ticks are driven by the test, never by the wall clock,
and neither the heartbeat nor an owner's lease loop runs by itself (tests call
``HEARTBEAT.beat()``, ``RoomRunner._renew()``); after each
test every runner is stopped. ``room``: a room opened by its instructor
(``helpers.rooms.Room_``), its screens closed afterwards. Imports are inside the
fixtures: a plugin is loaded before Django is set up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

from helpers.websocket import ManualTicks

if TYPE_CHECKING:
    from helpers.rooms import Room_


@pytest.fixture
def room_ticks(monkeypatch: pytest.MonkeyPatch) -> ManualTicks:
    """The room's owner ticks only when the test says so; the screens' clock is the test's."""
    from classrooms import heartbeat
    from classrooms.consumers import RoomScreen
    from classrooms.runner import RoomRunner

    manual = ManualTicks()
    monkeypatch.setattr(RoomRunner, "clock", staticmethod(manual.clock))
    monkeypatch.setattr(RoomRunner, "wait", staticmethod(manual.wait))
    monkeypatch.setattr(RoomRunner, "phase", staticmethod(lambda: 0.0))
    monkeypatch.setattr(RoomScreen, "clock", staticmethod(manual.clock))

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(heartbeat.Heartbeat, "wait", staticmethod(never))
    monkeypatch.setattr(RoomRunner, "lease_wait", staticmethod(never))  # tests call _renew()
    return manual


@pytest.fixture
async def rooms_stopped(settings: Any) -> AsyncIterator[None]:
    """Fast password hashing; every room runner and the heartbeat stopped afterwards."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    from classrooms import fanout, fragments, heartbeat, runner

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    await runner.stop_all()
    await fanout.stop_all()
    await heartbeat.HEARTBEAT.stop()
    fragments._FEEDS.clear()
    fragments._VIEWS.clear()
    fragments._DRAWN.clear()
    await sync_to_async(connections.close_all)()


@pytest.fixture
async def room(room_ticks: ManualTicks) -> AsyncIterator[Room_]:
    """A room with its instructor, plan and owner's ticks in the test's hands; every screen
    opened on it is closed afterwards."""
    from helpers.rooms import Room_

    opened = Room_()
    await opened.start()
    yield opened
    await opened.close()
