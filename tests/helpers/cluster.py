"""Several daphne processes on one PostgreSQL and one Redis, and screens that record what
they are sent: what the multi-process test (tests/multiprocess) and ``bench/rooms.py``
run, as docs/deployment.md describes it (without the proxy in front: clients pick the
process, as nginx's round robin would).

- ``database(postgres_url, name)``: a fresh database in that cluster, migrated; its URL.
- ``Daphne``: one process on a free port with ``DATABASE_URL`` and ``REDIS_URL``.
- ``Screen``: a WebSocket (``helpers.rawsocket``) whose messages a task records with
  the time they came, so a test can wait for many screens at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from helpers.rawsocket import Closed, RawSocket
from helpers.services import free_port

ROOT = Path(__file__).resolve().parents[2]
START_S = 90.0  # a busy machine starts Django slowly; waiting ends as soon as it listens


def database(postgres_url: str, name: str) -> str:
    """A new, migrated database ``name`` beside ``postgres_url``'s; its URL."""
    import psycopg

    base, _old = postgres_url.rsplit("/", 1)
    url = f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, "manage.py", "migrate", "--noinput"]
    done = subprocess.run(manage, cwd=ROOT, env=environment(url, ""), capture_output=True)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return url


def environment(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLASSROOM_"))}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, DJANGO_DEBUG="1")
    env.update(DJANGO_LOG_LEVEL="WARNING", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str]) -> str:
    """``code`` in a fresh interpreter with Django set up on ``env``'s database; its output."""
    prelude = (
        "import sys, django; sys.path[:0] = ['.', 'tests']; "
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'architect.settings'); "
        "django.setup()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Daphne:
    """One web process, as docs/deployment.md starts it."""

    def __init__(self, env: dict[str, str], log: Path, *, connect_timeout_s: int = 5) -> None:
        """``connect_timeout_s``: daphne's ``--websocket_connect_timeout`` (its default 5 s;
        a benchmark opening hundreds of sockets on a busy machine needs longer)."""
        self.port = free_port()
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        command += ["--websocket_connect_timeout", str(connect_timeout_s)]
        command += ["--websocket-max-frame-size", "65536", "--websocket-max-message-size", "65536"]
        self.log = log
        self.process = subprocess.Popen(
            [*command, "architect.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_listening(self) -> None:
        deadline = time.monotonic() + START_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"daphne exited:\n{self.tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.monotonic() < deadline, f"daphne did not listen:\n{self.tail()}"
                time.sleep(0.1)  # start-up only; no test measures it

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class Screen:
    """A WebSocket to one daphne; every message it is sent, with when it came."""

    def __init__(self, name: str, daphne: Daphne, path: str, session_key: str) -> None:
        self.name, self.daphne, self.path, self.session_key = name, daphne, path, session_key
        self.messages: list[tuple[float, str]] = []
        self.closed: Closed | None = None
        self.arrived = asyncio.Event()
        self.socket: RawSocket | None = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self, daphne: Daphne | None = None) -> Screen:
        """Connect (again: to ``daphne`` when given, as a reconnect through the proxy may)."""
        self.daphne = daphne or self.daphne
        self.closed = None
        self.socket = await RawSocket.open(
            "127.0.0.1", self.daphne.port, self.path, cookie=f"sessionid={self.session_key}"
        )
        self.reader = asyncio.create_task(self._read(self.socket))
        return self

    async def _read(self, ws: RawSocket) -> None:
        try:
            while True:
                _opcode, payload = await ws.receive()
                self.messages.append((time.monotonic(), payload.decode()))
                self.arrived.set()
        except Closed as closed:
            self.closed = closed
            self.arrived.set()

    async def send(self, **fields: str) -> None:
        assert self.socket is not None
        await self.socket.send_text(__import__("json").dumps(fields))

    async def first(
        self, match: Callable[[str], bool], *, after: float, within: float
    ) -> tuple[float, str]:
        """(when, text) of the first message that came at or after ``after`` (monotonic)
        and ``match``es; AssertionError when none has come ``within`` seconds of now."""
        deadline = time.monotonic() + within
        while True:
            for at, text in self.messages:
                if at >= after and match(text):
                    return at, text
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                last = self.messages[-1][1][:300] if self.messages else ""
                raise AssertionError(
                    f"{self.name}: nothing matching within {within} s "
                    f"({len(self.messages)} messages, closed: {self.closed}; last: {last!r})"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), left)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()
