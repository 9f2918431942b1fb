"""SandboxConsumer over a real WebSocket stack (architect.asgi.application).

Ticks are driven by the test (``helpers.websocket.ManualTicks``), never by the wall clock.
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from django.conf import settings

from helpers.websocket import (
    ManualTicks,
    answer,
    connect,
    error_of,
    pending,
    receive,
    send,
    simulated_time,
    taken,
    until,
)

# Channels closes stale database connections around each message, so the consumer
# touches the database layer even though the sandbox stores nothing.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ticks")]


def metric(html: str, key: str) -> str | None:
    """A metric's value as a message sets it (its span, in the panel or on its own)."""
    match = re.search(rf'<span id="metric-{key}" hx-swap-oob="true">([^<]*)</span>', html)
    return match.group(1) if match else None


async def opened(ws) -> str:
    """Connect; the whole page (the first tick's message, if any, stays pending)."""
    connected, _ = await ws.connect()
    assert connected
    return await receive(ws)


async def test_connect_sends_the_whole_page_then_ticks(ticks: ManualTicks):
    """Each tick advances one tick's worth of simulated time and sends what moved."""
    tick = settings.SANDBOX_TICK_SECONDS
    ws = connect()
    try:
        first = await opened(ws)
        for part in ("metrics", "diagram", "controls", "nodes", "events", "status"):
            assert f'id="{part}"' in first
        assert simulated_time(first) == 0.0
        await ticks.parked()  # the first tick runs at once
        sent = list(pending(ws))
        for _ in range(4):
            await ticks.tick()
            sent.extend(pending(ws))
        assert len(sent) == 5  # one message per tick
        assert all('id="status"' in t and 'id="controls"' not in t for t in sent)  # time moves
        assert any('id="charts"' in t for t in sent)
        expected = [round(tick * n, 1) for n in range(1, 6)]
        assert [simulated_time(t) for t in sent] == pytest.approx(expected)
        assert ticks.waits == [pytest.approx(tick)] * 5  # a step that takes no time waits a tick
    finally:
        await ws.disconnect()


async def test_the_wait_between_ticks_makes_up_for_a_slow_step(
    ticks: ManualTicks, monkeypatch: pytest.MonkeyPatch
):
    """A tick starts every SANDBOX_TICK_SECONDS: a step's own time is taken off the wait."""
    from architect.sandbox.consumers import SandboxConsumer

    tick = settings.SANDBOX_TICK_SECONDS
    durations = iter([tick / 4, tick * 3, 0.0])
    step = SandboxConsumer._step

    def slow_step(self, wall_dt: float) -> str:
        ticks.clock.advance(next(durations))
        return step(self, wall_dt)

    monkeypatch.setattr(SandboxConsumer, "_step", slow_step)
    ws = connect()
    try:
        await opened(ws)
        await ticks.tick(2)
        assert ticks.waits == pytest.approx([tick * 3 / 4, 0.0, tick])
    finally:
        await ws.disconnect()


async def test_set_traffic_shows_at_once():
    ws = connect()
    try:
        await opened(ws)
        await send(ws, action="set_traffic", rps="2500")
        html = await answer(ws)
        assert error_of(html) == ""
        assert metric(html, "offered") == "2,500"
        assert 'value="2500"' in html  # the traffic form follows
    finally:
        await ws.disconnect()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("this is not json", "not valid JSON"),
        (json.dumps({"action": "launch"}), "Unknown action “launch”"),
        (json.dumps({"action": "set_traffic", "rps": -1}), "between 0 and 1000000"),
        (json.dumps({"action": "pause", "pad": "x" * 5000}), "too large"),
        (json.dumps({"action": "fail", "node": "web-9"}), "There is no node called web-9."),
        (json.dumps({"action": "remove_web_server"}), "The last web server cannot be removed."),
    ],
)
async def test_bad_messages_get_a_specific_error_and_the_connection_stays(text, words):
    ws = connect()
    try:
        await opened(ws)
        await ws.send_to(text_data=text)
        html = await answer(ws)
        assert words in error_of(html)  # type: ignore[operator]
        await send(ws, action="add_load_balancer")
        html = await answer(ws)
        assert error_of(html) == ""
        assert 'data-node="lb"' in html
    finally:
        await ws.disconnect()


async def test_a_burst_is_throttled_with_one_notice_and_the_connection_survives(
    ticks: ManualTicks,
):
    """200 messages at one instant: a burst is answered, the rest dropped with one notice;
    once time has passed the connection answers again."""
    rate = settings.SANDBOX_MAX_MESSAGES_PER_SECOND
    ws = connect()
    try:
        await opened(ws)
        await ticks.parked()
        list(pending(ws))  # the first tick
        for _ in range(200):
            await send(ws, action="speed", speed=2)
        await taken(ws)
        ticks.clock.advance(1.0)  # the clock stood still through the burst; a second passes
        await send(ws, action="pause")
        received = []
        while "Resume" not in (html := await answer(ws)):
            received.append(html)
        assert error_of(html) == ""  # the pause after the burst is carried out
        notices = [h for h in received if "Slow down" in (error_of(h) or "")]
        assert len(notices) == 1
        answered = [h for h in received if error_of(h) == ""]
        assert 5 <= len(answered) <= rate  # the burst: no refill while the clock stood still
        assert len(received) == len(answered) + len(notices)
    finally:
        await ws.disconnect()


async def test_a_foreign_origin_is_rejected():
    ws = connect(headers=[(b"origin", b"http://evil.example"), (b"host", b"localhost:8000")])
    connected, _ = await ws.connect()
    assert not connected
    await ws.disconnect()


async def test_failing_the_only_server_fails_every_request(ticks: ManualTicks):
    ws = connect()
    try:
        await opened(ws)
        for fields in ({"action": "speed", "speed": 5}, {"action": "fail", "node": "web-1"}):
            await send(ws, **fields)
            assert error_of(await answer(ws)) == ""
        html = await until(ws, lambda h: metric(h, "error_rate") == "100.0", ticks, max_ticks=5)
        assert metric(html, "availability") == "0.0"
        assert metric(html, "served") == "0"
    finally:
        await ws.disconnect()


async def test_language_comes_from_the_query_string_when_offered():
    from architect.sandbox.consumers import language

    assert language({"query_string": b"lang=ko"}) == "ko"
    assert language({"query_string": b"lang=xx"}) == "en"
    assert language({"query_string": b""}) == "en"


async def test_the_tick_stops_on_disconnect():
    def running() -> list[asyncio.Task[object]]:
        name = "SandboxConsumer._tick"
        return [t for t in asyncio.all_tasks() if getattr(t.get_coro(), "__qualname__", "") == name]

    ws = connect()
    await opened(ws)
    assert len(running()) == 1
    await ws.disconnect()
    assert running() == []


async def test_a_cache_shows_its_hit_ratio(ticks: ManualTicks):
    ws = connect()
    try:
        await opened(ws)
        for action in ("separate_database", "add_cache"):
            await send(ws, action=action)
            html = await answer(ws)
        assert error_of(html) == "" and 'data-node="cache"' in html
        assert 'id="add-cache"' not in html  # one cache is enough
        assert metric(html, "cache_hits") == "—"  # no lookups yet
        await send(ws, action="speed", speed=5)
        await answer(ws)
        html = await until(ws, lambda h: (metric(h, "cache_hits") or "—") != "—", ticks)
        assert 0 <= int(metric(html, "cache_hits") or "") <= 100
        html = await until(ws, lambda h: int(metric(h, "cache_hits") or 0) > 0, ticks)
        assert int(metric(html, "cache_hits") or "") < 100  # keys repeat: hits, and misses
    finally:
        await ws.disconnect()


async def test_failing_the_primary_promotes_a_replica_and_the_log_says_so(ticks: ManualTicks):
    ws = connect()
    try:
        await opened(ws)
        await send(ws, action="speed", speed=5)
        await answer(ws)
        for action in ("separate_database", "add_replica"):
            await send(ws, action=action)
            html = await answer(ws)
        assert 'data-node="db-r1"' in html
        assert metric(html, "lost_writes") == "0"  # the metrics panel gains replication's
        await send(ws, action="fail", node="db")
        assert error_of(await answer(ws)) == ""
        html = await until(ws, lambda h: "promoted to primary" in h, ticks)
        sentence = re.search(r"<li>(db-r1 was promoted to primary[^<]*)</li>", html)
        assert sentence is not None
        assert "s after db failed;" in sentence.group(1)
    finally:
        await ws.disconnect()


async def test_adding_a_cache_before_a_database_says_what_to_do_first():
    ws = connect()
    try:
        await opened(ws)
        await send(ws, action="add_cache")
        html = await answer(ws)
        assert "before adding a cache" in error_of(html)  # type: ignore[operator]
    finally:
        await ws.disconnect()


async def test_sticky_balancing_is_told_in_the_event_log():
    ws = connect()
    try:
        await opened(ws)
        for action in ("separate_database", "add_web_server", "add_load_balancer"):
            await send(ws, action=action)
            assert error_of(await answer(ws)) == ""
        await send(ws, action="set_balancing", algorithm="sticky")
        html = await answer(ws)
        assert "lb balances by sticky sessions (each user stays on one server)" in html
        assert '<option value="sticky" selected>' in html  # the menu follows
    finally:
        await ws.disconnect()


async def test_a_message_queue_brings_the_jobs_block():
    ws = connect()
    try:
        await opened(ws)
        await send(ws, action="add_message_queue")
        html = await answer(ws)
        assert ">Published</button></dt>" in html and ">Job p99 latency</button></dt>" in html
        assert 'data-node="workers"' in html
    finally:
        await ws.disconnect()


async def test_automation_without_monitoring_gets_the_specific_error():
    ws = connect()
    try:
        await opened(ws)
        await send(ws, action="set_operations", automation="on")
        html = await answer(ws)
        assert "Automation needs monitoring" in error_of(html)  # type: ignore[operator]
    finally:
        await ws.disconnect()
