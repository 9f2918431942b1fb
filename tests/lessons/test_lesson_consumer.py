"""LessonConsumer over the real WebSocket stack: predict, change, run, goal, progress.

Ticks are driven by the test (``helpers.websocket.ManualTicks``), never by the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from architect import guests
from lessons import content, services
from lessons.models import Progress

from helpers.plans import TWO_TIERS, plan, stage
from helpers.websocket import (
    ORIGIN,
    ManualTicks,
    answer,
    answers,
    connect,
    error_of,
    pending,
    receive,
    send,
    simulated_time,
    until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ticks")]

# No prediction, five times as fast, run: the stage as it starts, to its end.
SKIPPED_AND_RUN_FAST: tuple[dict[str, object], ...] = (
    {"action": "skip_prediction"},
    {"action": "speed", "speed": "5"},
    {"action": "run"},
)


@pytest.fixture(autouse=True)
def close_connections():
    """Leave no connection open for tests that may not use the database."""
    yield
    connections.close_all()


# One web server costs 306 $/month here, two cost 446: the goal needs the second one.
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


@contextlib.asynccontextmanager
async def lab(session_key: str = "", path: str = "/ws/lessons/demo/lab/") -> AsyncIterator[Any]:
    """The lab's socket, connected, and the first page it sent; disconnected afterwards."""
    ws = open_lab(session_key, path)
    connected, code = await ws.connect()
    assert connected, code
    try:
        yield ws, await receive(ws)
    finally:
        await ws.disconnect()


@sync_to_async
def progress(key: str) -> Progress | None:
    return Progress.objects.filter(session_key=key, stage__slug="lab").first()


async def saved(key: str, test: Callable[[Progress], bool], limit: float = 5.0) -> bool:
    """Whether the progress saved under ``key`` passes ``test`` within ``limit`` seconds
    (the consumer saves a finished stage after the tick that showed it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        row = await progress(key)
        if row is not None and test(row):
            return True
        await asyncio.sleep(0.05)
    return False


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
    async with lab(key) as (ws, first):
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
        assert "446 $" not in running and re.search(r"\$446/month</strong>\s*<span[^>]*>✓", running)
        done = await until(ws, lambda h: "Goal met." in h and 'id="lesson"' in h, ticks)
        assert "Because." in done and "(you were right)" in done  # the why, after the run
        assert "Done." in done  # the debrief
        assert 'href="/lessons/demo/after/"' in done
        assert await saved(key, lambda row: row.completed_at is not None)  # after the tick


async def test_without_the_change_the_goal_is_not_met_and_nothing_is_saved(ticks: ManualTicks):
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    async with lab(key) as (ws, _):
        await answers(ws, *SKIPPED_AND_RUN_FAST)
        failed = await until(ws, lambda h: "Goal not met" in h and 'id="lesson"' in h, ticks)
        assert "✗" in failed and "(skipped)" in failed
        assert "Done." not in failed  # no debrief
        assert (await progress(key)) is None


async def test_hints_come_one_at_a_time_and_a_bad_choice_is_refused():
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    async with lab(key) as (ws, _):
        await send(ws, action="predict", choice="7")
        bad = await answer(ws)
        assert "Choose one of the 2 answers." in bad
        await send(ws, action="hint")
        one = await answer(ws)
        assert "Hint one" in one and "Hint two" not in one and 'id="hint"' in one
        await send(ws, action="hint")
        two = await answer(ws)
        assert "Hint two" in two and 'id="hint"' not in two


async def test_korean_learners_get_korean_panels():
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    async with lab(key, path="/ws/lessons/demo/lab/?lang=ko") as (_, first):
        assert "어느 것?" in first and "가" in first


def guest_token(html: str) -> str | None:
    match = re.search(r'id="guest-session".*?name="token" value="([^"]+)"', html, re.S)
    return match.group(1) if match else None


@sync_to_async
def session_rows() -> int:
    return SessionStore.get_model_class().objects.count()


async def test_a_guest_gets_a_session_when_the_first_prediction_is_kept():
    await sync_to_async(load)()
    async with lab() as (ws, first):  # no cookie: the guest has no session
        assert guest_token(first) is None and await session_rows() == 0
        await send(ws, action="predict", choice="1")
        answered = await answer(ws)
        token = guest_token(answered)
        assert token is not None, "the page is handed the new session to adopt"
        key = guests.read_token(token)
        assert key and await session_rows() == 1
        assert (row := await progress(key)) is not None and row.prediction == 1
        await send(ws, action="predict", choice="0")  # a change: same session, no new token
        again = await answer(ws)
        assert guest_token(again) is None and await session_rows() == 1
        assert (row := await progress(key)) is not None and row.prediction == 0


async def test_a_guest_who_keeps_nothing_gets_no_session(ticks: ManualTicks):
    await sync_to_async(load)()
    async with lab() as (ws, _):
        await send(ws, action="predict", choice="7")  # refused before any session is made
        assert 'id="error"' in await answer(ws)
        await answers(ws, *SKIPPED_AND_RUN_FAST)
        await until(ws, lambda h: "Goal not met" in h and 'id="lesson"' in h, ticks)
        assert await session_rows() == 0


async def test_a_session_gone_meanwhile_is_replaced_at_the_next_save():
    await sync_to_async(load)()
    key = await sync_to_async(new_session)()
    async with lab(key) as (ws, _):
        await sync_to_async(SessionStore(session_key=key).delete)()  # expired and cleared
        await send(ws, action="predict", choice="1")
        answered = await answer(ws)
        token = guest_token(answered)
        assert token is not None
        fresh = guests.read_token(token)
        assert fresh and fresh != key
        assert (row := await progress(fresh)) is not None and row.prediction == 1


async def test_a_guest_who_finishes_a_stage_unasked_gets_a_session_for_it(ticks: ManualTicks):
    await sync_to_async(load)()
    async with lab() as (ws, _):
        said = await answers(
            ws,
            {"action": "skip_prediction"},
            {"action": "add_web_server"},  # the learner's work: kept from here on
            {"action": "speed", "speed": "5"},
            {"action": "run"},
        )
        tokens = [guest_token(html) for html in said if guest_token(html) is not None]
        assert len(tokens) == 1
        await until(ws, lambda h: "Goal met." in h and 'id="lesson"' in h, ticks)
        key = guests.read_token(tokens[0] or "")
        assert key and await saved(key, lambda row: row.completed_at is not None)


async def test_an_action_the_stage_does_not_offer_is_refused_and_changes_nothing(
    ticks: ManualTicks,
):
    """The lab offers add_web_server, fail and restore: anything else sent by hand is refused."""
    await sync_to_async(load)()
    async with lab(await sync_to_async(new_session)()) as (ws, _):
        await send(ws, action="skip_prediction")
        await answer(ws)
        for fields in (
            {"action": "add_cdn"},
            {"action": "set_traffic", "rps": "5000"},
            {"action": "resize", "node": "web-1", "size": "xl"},
        ):
            await send(ws, **fields)
            refused = error_of(await answer(ws)) or ""
            assert f"This stage does not offer “{fields['action']}”" in refused, refused
        await send(ws, action="add_web_server")
        added = await answer(ws)
        assert not (error_of(added) or "").strip() and "web-2" in added
        # (that nothing changed is checked on every shipped stage in test_stage_controls)


@pytest.mark.parametrize(
    "speeds",
    [{0: "1"}, {0: "5"}, {0: "1", 6: "5", 8: "2"}],
    ids=["1x", "5x", "changed mid-run"],
)
async def test_the_socket_judges_every_second_once_at_any_speed(ticks: ManualTicks, speeds):
    """The lab's 5-second run from from_s = 1 judges 4 seconds, whatever the speed."""
    await sync_to_async(load)()
    async with lab(await sync_to_async(new_session)()) as (ws, _):
        await answers(ws, {"action": "skip_prediction"}, {"action": "add_web_server"})
        await send(ws, action="speed", speed=speeds[0])
        await answer(ws)
        await send(ws, action="run")
        await answer(ws)
        for tick in range(1, 40):
            if tick in speeds:
                await send(ws, action="speed", speed=speeds[tick])
            await ticks.tick()
            if any("Run over" in html for html in pending(ws)):
                break
        await send(ws, action="hint")  # the panels as they are now
        final = await answer(ws)
        assert "Run over: 4 of 4 s checked, 0 failed" in final and "Goal met." in final
