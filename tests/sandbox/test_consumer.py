"""SandboxConsumer over a real WebSocket stack (architect.asgi.application)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable

import pytest
from channels.testing import WebsocketCommunicator

from architect.asgi import application

# Channels closes stale database connections around each message, so the consumer
# touches the database layer even though the sandbox stores nothing.
pytestmark = pytest.mark.django_db

ORIGIN = [(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]


def connect(path: str = "/ws/sandbox/", headers=ORIGIN) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=headers)


async def send(ws: WebsocketCommunicator, **fields: object) -> None:
    await ws.send_to(text_data=json.dumps({**fields, "HEADERS": {"HX-Request": "true"}}))


async def until(ws: WebsocketCommunicator, test: Callable[[str], bool], limit: float = 5.0) -> str:
    """The first message that passes ``test`` (ticks arrive in between)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        html = await ws.receive_from(timeout=max(0.01, deadline - loop.time()))
        if test(html):
            return html


def metric(html: str, label: str) -> str | None:
    match = re.search(rf"<dt>{label}</dt><dd>([^<]*?) <small>", html)
    return match.group(1) if match else None


async def answers_until_quiet(ws: WebsocketCommunicator, quiet: float = 1.0) -> list[str]:
    """Every answer (a message with an error area) until only ticks arrive for ``quiet`` s."""
    loop = asyncio.get_running_loop()
    answers: list[str] = []
    last = loop.time()
    while loop.time() - last < quiet:
        try:
            html = await ws.receive_from(timeout=quiet)
        except TimeoutError:
            break
        if error_of(html) is not None:
            answers.append(html)
            last = loop.time()
    return answers


def error_of(html: str) -> str | None:
    match = re.search(r'<div id="error"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1) if match else None


async def test_connect_sends_the_whole_page_then_ticks():
    ws = connect()
    connected, _ = await ws.connect()
    assert connected
    try:
        first = await ws.receive_from(timeout=2)
        for part in ("metrics", "diagram", "controls", "nodes", "events", "status"):
            assert f'id="{part}"' in first
        loop = asyncio.get_running_loop()
        start = loop.time()
        ticks = [await ws.receive_from(timeout=2) for _ in range(5)]
        assert loop.time() - start < 1.6  # about five ticks a second
        assert all('id="status"' in t and 'id="controls"' not in t for t in ticks)  # time moves
        assert any('id="charts"' in t for t in ticks)
    finally:
        await ws.disconnect()


async def test_set_traffic_shows_at_once():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="set_traffic", rps="2500")
        html = await until(ws, lambda h: error_of(h) is not None)
        assert error_of(html) == ""
        assert metric(html, "Offered") == "2,500"
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
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await ws.send_to(text_data=text)
        html = await until(ws, lambda h: bool(error_of(h)))
        assert words in error_of(html)  # type: ignore[operator]
        await send(ws, action="add_load_balancer")
        html = await until(ws, lambda h: error_of(h) is not None)
        assert error_of(html) == ""
        assert 'data-node="lb"' in html
    finally:
        await ws.disconnect()


async def test_a_burst_is_throttled_with_one_notice_and_the_connection_survives():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        for _ in range(200):
            await send(ws, action="speed", speed=2)
        received = await answers_until_quiet(ws)
        notices = [h for h in received if "Slow down" in (error_of(h) or "")]
        assert len(notices) == 1
        answered = [h for h in received if error_of(h) == ""]
        assert 5 <= len(answered) <= 30  # the burst, not all 200
        await asyncio.sleep(0.3)
        await send(ws, action="pause")
        html = await until(ws, lambda h: error_of(h) == "")
        assert "Resume" in html
    finally:
        await ws.disconnect()


async def test_a_foreign_origin_is_rejected():
    ws = connect(headers=[(b"origin", b"http://evil.example"), (b"host", b"localhost:8000")])
    connected, _ = await ws.connect()
    assert not connected
    await ws.disconnect()


async def test_failing_the_only_server_fails_every_request():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="speed", speed=5)
        await send(ws, action="fail", node="web-1")
        html = await until(ws, lambda h: metric(h, "Errors") == "100.0", limit=6)
        assert metric(html, "Availability") == "0.0"
        assert metric(html, "Served") == "0"
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
    await ws.connect()
    await ws.receive_from(timeout=2)
    assert len(running()) == 1
    await ws.disconnect()
    assert running() == []


async def test_a_cache_shows_its_hit_ratio():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="speed", speed=5)
        await send(ws, action="separate_database")
        await send(ws, action="add_cache")
        html = await until(ws, lambda h: error_of(h) == "" and 'data-node="cache"' in h)
        assert 'id="add-cache"' not in html  # one cache is enough
        html = await until(ws, lambda h: (metric(h, "Cache hit ratio") or "—") != "—", limit=3)
        assert 0 <= int(metric(html, "Cache hit ratio") or "") <= 100
    finally:
        await ws.disconnect()


async def test_failing_the_primary_promotes_a_replica_and_the_log_says_so():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="speed", speed=5)
        await send(ws, action="separate_database")
        await send(ws, action="add_replica")
        await until(ws, lambda h: 'data-node="db-r1"' in h)
        await send(ws, action="fail", node="db")
        html = await until(ws, lambda h: "promoted to primary" in h, limit=4)
        sentence = re.search(r"<li>(db-r1 was promoted to primary[^<]*)</li>", html)
        assert sentence is not None
        assert "s after db failed;" in sentence.group(1)
        assert metric(html, "Lost writes") is not None
    finally:
        await ws.disconnect()


async def test_adding_a_cache_before_a_database_says_what_to_do_first():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="add_cache")
        html = await until(ws, lambda h: bool(error_of(h)))
        assert "before adding a cache" in error_of(html)  # type: ignore[operator]
    finally:
        await ws.disconnect()


async def test_sticky_balancing_is_told_in_the_event_log():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        for action in ("separate_database", "add_web_server", "add_load_balancer"):
            await send(ws, action=action)
        await send(ws, action="set_balancing", algorithm="sticky")
        html = await until(ws, lambda h: "balances by" in h)
        assert "lb balances by sticky sessions (each user stays on one server)" in html
        assert '<option value="sticky" selected>' in html  # the menu follows
    finally:
        await ws.disconnect()


async def test_a_message_queue_brings_the_jobs_block():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="add_message_queue")
        html = await until(ws, lambda h: "Background jobs</h3>" in h)
        assert "<dt>Published</dt>" in html and "<dt>Job p99 latency</dt>" in html
        assert 'data-node="workers"' in html
    finally:
        await ws.disconnect()


async def test_automation_without_monitoring_gets_the_specific_error():
    ws = connect()
    await ws.connect()
    try:
        await ws.receive_from(timeout=2)
        await send(ws, action="set_operations", automation="on")
        html = await until(ws, lambda h: bool(error_of(h)))
        assert "Automation needs monitoring" in error_of(html)  # type: ignore[operator]
    finally:
        await ws.disconnect()
