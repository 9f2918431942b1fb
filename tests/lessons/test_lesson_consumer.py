"""LessonConsumer over the real WebSocket stack: predict, change, run, goal, progress.

Ticks are driven by the test (``helpers.websocket.ManualTicks``), never by the wall clock.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from lessons import content, services
from lessons.models import Progress

from helpers.plans import plan, stage
from helpers.websocket import (
    ORIGIN,
    ManualTicks,
    answer,
    connect,
    pending,
    receive,
    send,
    simulated_time,
    until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ticks")]


@pytest.fixture(autouse=True)
def close_connections():
    """Leave no connection open for tests that may not use the database."""
    yield
    connections.close_all()


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
# One web server costs 305 $/month here, two cost 445: the goal needs the second one.
GOAL = content.Goal(
    text={"en": "Two web servers", "ko": "웹 서버 두 대"},
    conditions=(
        content.Condition("cost_per_month", "at_least", 400.0),
        content.Condition("p99_ms", "below", 500.0),
    ),
    from_s=1.0,
)


def load() -> None:
    lab = stage(
        "lab",
        topology=TWO_TIERS,
        goal=GOAL,
        duration_s=5.0,
        controls=("add_web_server", "fail", "restore"),
        hints=({"en": "Hint one", "ko": "힌트 하나"}, {"en": "Hint two", "ko": "힌트 둘"}),
    )
    services.plan_load(plan=replace(plan(), stages=(lab, stage("after"))))


def new_session() -> str:
    session = SessionStore()
    session["lessons"] = True
    session.save()
    return str(session.session_key)


def open_lab(session_key: str = "", path: str = "/ws/lessons/demo/lab/"):
    headers = list(ORIGIN)
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return connect(path, headers)


@sync_to_async
def progress(key: str) -> Progress | None:
    return Progress.objects.filter(session_key=key, stage__slug="lab").first()


async def test_an_unknown_stage_is_refused():
    await sync_to_async(load)()
    ws = open_lab(path="/ws/lessons/demo/nope/")
    connected, _ = await ws.connect()
    assert not connected
    await ws.disconnect()


async def test_the_stage_waits_for_a_prediction_then_runs_to_the_goal_and_saves_progress(
    ticks: ManualTicks,
):
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    ws = open_lab(key)
    connected, _ = await ws.connect()
    assert connected
    try:
        first = await receive(ws)
        assert 'id="lesson"' in first and 'value="predict"' in first
        assert set(re.findall(r'name="action" value="([a-z_]+)"', first)) >= {
            "add_web_server",
            "fail",
        }
        assert 'value="add_cdn"' not in first and 'value="set_traffic"' not in first
        await send(ws, action="resume")
        refused = await answer(ws)
        assert "Answer the question first" in refused
        assert simulated_time(first) == 0.0
        await ticks.tick(3)
        assert list(pending(ws)) == []  # still paused: no tick has anything to send

        await send(ws, action="predict", choice="1")
        answered = await answer(ws)
        assert 'id="lesson"' in answered
        assert "You predicted: “B”" in answered and "Because." not in answered
        assert (row := await progress(key)) is not None and row.prediction == 1

        await send(ws, action="add_web_server")
        added = await answer(ws)
        assert 'id="nodes"' in added and "web-2" in added
        await send(ws, action="speed", speed="5")
        await answer(ws)
        await send(ws, action="run")
        await answer(ws)
        running = await until(ws, lambda h: 'id="goal"' in h and "Run: 2" in h, ticks)
        assert "445 $" not in running and re.search(r"\$445/month</strong>\s*<span[^>]*>✓", running)
        done = await until(ws, lambda h: "Goal met." in h and 'id="lesson"' in h, ticks)
        assert "Because." in done and "(you were right)" in done  # the why, after the run
        assert "Done." in done  # the debrief
        assert 'href="/lessons/demo/after/"' in done
        assert (row := await progress(key)) is not None and row.completed_at is not None
    finally:
        await ws.disconnect()


async def test_without_the_change_the_goal_is_not_met_and_nothing_is_saved(ticks: ManualTicks):
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    ws = open_lab(key)
    await ws.connect()
    try:
        await receive(ws)
        for fields in ({"action": "skip_prediction"}, {"action": "speed", "speed": "5"}):
            await send(ws, **fields)
            await answer(ws)
        await send(ws, action="run")
        await answer(ws)
        failed = await until(ws, lambda h: "Goal not met" in h and 'id="lesson"' in h, ticks)
        assert "✗" in failed and "(skipped)" in failed
        assert "Done." not in failed  # no debrief
        assert (await progress(key)) is None
    finally:
        await ws.disconnect()


async def test_hints_come_one_at_a_time_and_a_bad_choice_is_refused():
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    ws = open_lab(key)
    await ws.connect()
    try:
        await receive(ws)
        await send(ws, action="predict", choice="7")
        bad = await answer(ws)
        assert "Choose one of the 2 answers." in bad
        await send(ws, action="hint")
        one = await answer(ws)
        assert "Hint one" in one and "Hint two" not in one and 'id="hint"' in one
        await send(ws, action="hint")
        two = await answer(ws)
        assert "Hint two" in two and 'id="hint"' not in two
    finally:
        await ws.disconnect()


async def test_korean_learners_get_korean_panels():
    await sync_to_async(load)()
    ws = open_lab(await sync_to_async(new_session)(), path="/ws/lessons/demo/lab/?lang=ko")
    await ws.connect()
    try:
        first = await receive(ws)
        assert "어느 것?" in first and "가" in first
    finally:
        await ws.disconnect()
