"""architect.sandbox.guard and how the consumers use it (issue #9.1)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from architect.sandbox.consumers import SandboxConsumer
from architect.sandbox.guard import Failures, clean, clean_text, nesting, sendable, stop
from architect.sandbox.protocol import MAX_DEPTH, MAX_DIGITS, ProtocolError, decode

from helpers.fuzz import tick_tasks
from helpers.websocket import ManualTicks, answer, connect, error_of, receive, send


def test_clean_text_replaces_lone_surrogates_and_drops_control_characters():
    assert clean_text("a\ud800b\x00c\x1b[31m\x7fd\x9f") == "a\ufffdbc[31md"
    assert clean_text("tab\tand\nnewline stay, 한국어 and 🙂 too") == (
        "tab\tand\nnewline stay, 한국어 and 🙂 too"
    )
    assert clean({"\udfff": ["x\x01", {"k": "\ud83d"}], "n": 1.5}) == {
        "\ufffd": ["x", {"k": "\ufffd"}],
        "n": 1.5,
    }


def test_nesting_counts_brackets_outside_strings():
    assert nesting('{"a": [1, {"b": []}]}') == 4
    assert nesting('{"a": "[[[[{{{{\\"[["}') == 1
    assert nesting("[" * 5000) == 5000
    assert nesting("1") == 0


def test_sendable_keeps_good_text_and_repairs_lone_surrogates():
    text = "<p>캐시 🙂</p>"
    assert sendable(text) is text
    assert sendable("<p>\ud800</p>") == "<p>\ufffd</p>"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("[" * 2000 + "]" * 2000, "too_deep"),
        ('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), "too_deep"),
        ('{"action": "set_traffic", "rps": ' + "9" * (MAX_DIGITS + 1) + "}", "too_long_number"),
        ('{"action": "set_traffic", "rps": 1e400}', "too_long_number"),
        ('{"action": "set_traffic", "rps": -1e400}', "too_long_number"),
        ('{"action": "set_traffic", "rps": NaN}', "not_json"),
        ('{"action": "set_traffic", "rps": Infinity}', "not_json"),
        ("\ud800", "not_json"),
        (b"\xff\xfe{}", "not_json"),
        ("", "not_json"),
    ],
)
def test_decode_refuses_hostile_frames_before_converting(frame, code):
    with pytest.raises(ProtocolError) as caught:
        decode(frame, max_bytes=4096)
    assert caught.value.code == code


def test_decode_cleans_what_it_reads():
    data = decode(json.dumps({"action": "fail", "node": "web\ud800\x00"}))
    assert data == {"action": "fail", "node": "web\ufffd"}
    deepest_allowed = '{"a":' * (MAX_DEPTH - 1) + "[1]" + "}" * (MAX_DEPTH - 1)
    assert nesting(deepest_allowed) == MAX_DEPTH
    assert decode(deepest_allowed)["a"]


def test_failures_log_each_kind_once_then_count(caplog):
    failures = Failures(logging.getLogger("test.guard"), "Consumer")
    with caplog.at_level(logging.WARNING, logger="test.guard"):
        for _ in range(5):
            with failures.guard("tick"):
                raise OverflowError("huge")
        with failures.guard("send"):
            raise RuntimeError("closed")
        with failures.guard("send"):
            pass
        assert [r.getMessage() for r in caplog.records] == [
            "Consumer: tick failed",
            "Consumer: send failed",
        ]
        assert all(r.exc_info for r in caplog.records)
        failures.close()
    assert caplog.records[-1].getMessage() == (
        "Consumer: tick failed 5 times in all (OverflowError)"
    )
    assert len(caplog.records) == 3


def test_a_cancellation_is_not_a_failure():
    failures = Failures(logging.getLogger("test.guard"), "Consumer")
    with pytest.raises(asyncio.CancelledError), failures.guard("tick"):
        raise asyncio.CancelledError
    assert not failures.counts


async def test_stop_ends_a_task_whatever_it_raised():
    async def forever() -> None:
        await asyncio.Event().wait()

    async def broken() -> None:
        raise RuntimeError("gone")

    running, failed = asyncio.create_task(forever()), asyncio.create_task(broken())
    await asyncio.sleep(0)
    await stop(running)
    await stop(failed)
    await stop(None)
    assert running.cancelled() and failed.done()


# --- the consumers ------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
async def test_a_lone_surrogate_is_answered_and_the_socket_stays_open(ticks: ManualTicks):
    """The probe's 20-byte message: the answer is sendable, the session goes on."""
    ws = connect()
    try:
        assert (await ws.connect())[0]
        await receive(ws)
        await ws.send_to(text_data='{"action":"\\ud800"}')
        html = await answer(ws)
        html.encode("utf-8")  # daphne must be able to send it
        assert "\ufffd" in (error_of(html) or "")
        ticks.clock.advance(1.0)
        await send(ws, action="pause")
        assert error_of(await answer(ws)) == ""
    finally:
        await ws.disconnect()


@pytestmark_db
async def test_no_tick_task_is_left_when_the_connection_ends_with_an_error(
    ticks: ManualTicks, monkeypatch: pytest.MonkeyPatch
):
    """Whatever ends the consumer (here a receive that raises past every guard, as a
    failing send inside daphne did), ``__call__``'s ``finally`` stops its tick task."""

    async def escapes(self, text_data=None, bytes_data=None):
        raise RuntimeError("escaped")

    monkeypatch.setattr(SandboxConsumer, "receive", escapes)
    ws = connect()
    assert (await ws.connect())[0]
    await receive(ws)
    await ticks.parked()
    assert len(tick_tasks()) == 1
    await ws.send_to(text_data="{}")
    with pytest.raises(RuntimeError, match="escaped"):
        await ws.wait(timeout=5)
    assert tick_tasks() == []
