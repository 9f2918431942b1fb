"""A room over the real ASGI stack, with the owner's ticks and the heartbeat driven by
the test (never by the wall clock), and every runner stopped after each test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from classrooms import fragments, heartbeat, runner, services
from classrooms.consumers import RoomScreen
from classrooms.models import Participant, Room
from classrooms.permissions import instructors_group
from classrooms.runner import RoomRunner
from lessons import services as lesson_services

from helpers.plans import plan, stage
from helpers.websocket import ORIGIN, ManualTicks, connect


@pytest.fixture
def room_ticks(monkeypatch: pytest.MonkeyPatch) -> ManualTicks:
    """The room's owner ticks only when the test says so; the heartbeat never beats by
    itself (tests call ``HEARTBEAT.beat()``); the screens' clock is the test's."""
    manual = ManualTicks()
    monkeypatch.setattr(RoomRunner, "clock", staticmethod(manual.clock))
    monkeypatch.setattr(RoomRunner, "wait", staticmethod(manual.wait))
    monkeypatch.setattr(RoomRunner, "phase", staticmethod(lambda: 0.0))
    monkeypatch.setattr(RoomScreen, "clock", staticmethod(manual.clock))

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(heartbeat.Heartbeat, "wait", staticmethod(never))
    return manual


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
async def stop_rooms() -> AsyncIterator[None]:
    yield
    await runner.stop_all()
    await heartbeat.HEARTBEAT.stop()
    fragments._FEEDS.clear()
    await sync_to_async(connections.close_all)()


TWO_TIERS = {
    "version": 1,
    "name": "Two tiers",
    "traffic": {"rps": 100},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "lb", "kind": "load_balancer"},
        {"id": "web-1", "kind": "web_server", "size": "m"},
        {"id": "db", "kind": "database", "size": "m"},
    ],
    "links": [["dns", "lb"], ["lb", "web-1"], ["web-1", "db"]],
}


def load_plan() -> None:
    """Two stages: the first asks a question (A or B; B is right) and has a goal."""
    lesson_services.plan_load(
        plan=replace(
            plan(), stages=(stage("one", topology=TWO_TIERS, duration_s=3.0), stage("two"))
        )
    )


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


def seat(room: Room, name: str) -> tuple[str, Participant]:
    key = session_for()
    return key, services.participant_join(room=room, name=name, session_key=key, user=None)


def screen(code: str, kind: str, session_key: str = "", lang: str = "en"):
    headers = list(ORIGIN)
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return connect(f"/ws/classroom/{code}/{kind}/?lang={lang}", headers)
