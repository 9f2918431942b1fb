"""A real daphne refuses oversized frames before it buffers them (issue #9.1).

daphne runs with the flags ``make run`` gives it (``WEBSOCKET_MAX_FRAME_BYTES``); the
client is ``helpers.rawsocket``, which can send what a browser never would: a frame
header announcing a gigabyte and then nothing, a frame one byte over the limit, the
bytes of a lone surrogate. Each must end only its own connection (or none) and leave
the server answering the next one.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from helpers.rawsocket import TEXT, Closed, RawSocket
from helpers.websocket import error_of

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 20.0  # only stops a broken server from hanging the run


@pytest.fixture(scope="module")
def daphne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    limit = str(settings.WEBSOCKET_MAX_FRAME_BYTES)
    database = tmp_path_factory.mktemp("daphne") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1"}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    command += ["--websocket-max-frame-size", limit, "--websocket-max-message-size", limit]
    process = subprocess.Popen(
        [*command, "architect.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90  # a busy machine starts Django slowly
        while True:
            assert process.poll() is None, "daphne exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "daphne did not listen"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def opened(port: int) -> RawSocket:
    ws = await RawSocket.open("127.0.0.1", port, "/ws/sandbox/")
    await asyncio.wait_for(ws.receive_text(), WAIT_S)  # the whole page
    return ws


async def answer(ws: RawSocket) -> str:
    """The next message carrying the error area (ticks in between passed over)."""
    while True:
        html = await asyncio.wait_for(ws.receive_text(), WAIT_S)
        if error_of(html) is not None:
            return html


async def still_serves(port: int) -> None:
    ws = await opened(port)
    try:
        await ws.send_text(json.dumps({"action": "pause"}))
        assert error_of(await answer(ws)) == ""
    finally:
        await ws.close()


@pytest.mark.parametrize("announced", [2**30, settings.WEBSOCKET_MAX_FRAME_BYTES + 1])
async def test_an_oversized_frame_ends_its_connection_unread(daphne: int, announced: int):
    """Only the header is sent: the server decides from it and never waits for the rest."""
    ws = await opened(daphne)
    head = bytes([0x80 | TEXT, 0x80 | 127]) + struct.pack("!Q", announced) + b"\0\0\0\0"
    ws.writer.write(head)
    await ws.writer.drain()
    with pytest.raises(Closed):
        while True:
            await asyncio.wait_for(ws.receive(), WAIT_S)
    await still_serves(daphne)


async def test_hostile_frames_under_the_limit_are_answered_and_the_socket_stays_open(
    daphne: int,
):
    """Through daphne's own encoding: a lone surrogate's escape, its raw bytes (not UTF-8:
    autobahn closes that socket, 1007), a message over the app's limit, deep nesting."""
    ws = await opened(daphne)
    try:
        for frame in (
            '{"action":"\\ud800"}',
            '{"action":"fail","node":"\\udfff"}',
            "x" * (settings.SANDBOX_MAX_MESSAGE_BYTES + 1),
            "[" * 2000 + "]" * 2000,
            '{"action":"set_traffic","rps":1e400}',
        ):
            html = await answer_to(ws, frame)
            assert error_of(html), frame[:40]
        await ws.send_text(json.dumps({"action": "pause"}))
        assert error_of(await answer(ws)) == ""
    finally:
        await ws.close()
    ws = await opened(daphne)
    await ws.send_text(b'{"action":"\xed\xa0\x80"}')  # a surrogate's bytes: invalid UTF-8
    with pytest.raises(Closed) as closed:
        while True:
            await asyncio.wait_for(ws.receive(), WAIT_S)
    assert closed.value.code in (1007, None)
    await still_serves(daphne)


async def answer_to(ws: RawSocket, frame: str) -> str:
    await ws.send_text(frame)
    return await answer(ws)
