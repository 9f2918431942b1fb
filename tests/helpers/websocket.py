"""Talking to the consumers over the real ASGI stack, with ticks driven by the test.

The ``ticks`` fixture replaces the consumers' clock and the wait between ticks
(``SandboxConsumer.clock`` and ``.wait``): no tick happens until the test calls
``ticks.tick()``, and time moves only by the waits the tick loop asks for. So a test
sees exactly the messages its own actions cause, and never depends on how fast the
machine is. The timeouts below only stop a broken consumer from hanging the run.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from helpers.clock import FakeClock

if TYPE_CHECKING:  # imported where used: this module is loaded as a plugin, before Django
    from channels.testing import WebsocketCommunicator

ORIGIN = [(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]
HANG_S = 30.0  # a consumer that has not answered by then is broken (not merely slow)


class ManualTicks:
    """The consumers' clock and tick wait, worked by hand; one connection at a time.

    The tick loop runs a tick, then calls ``wait(seconds)``, which parks it until
    ``tick()`` lets it go; the clock then moves by the ``seconds`` it asked for.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.clock = FakeClock(start)
        self.waits: list[float] = []  # every wait the tick loop asked for, in order
        self._parked = asyncio.Event()
        self._go = asyncio.Semaphore(0)

    async def wait(self, seconds: float) -> None:
        """Stands in for ``asyncio.sleep`` in the tick loop."""
        self.waits.append(seconds)
        self._parked.set()
        await self._go.acquire()
        self.clock.advance(seconds)

    async def parked(self) -> None:
        """Until the tick loop has finished its tick (and sent what it had to send)."""
        try:
            await asyncio.wait_for(self._parked.wait(), HANG_S)
        except TimeoutError:
            raise AssertionError(f"the tick loop did not finish a tick within {HANG_S} s") from None

    async def let_go(self) -> None:
        """Let the loop run one more tick without waiting for its end (for a tick that
        ends the loop, as when the consumer closes the socket)."""
        await self.parked()
        self._parked.clear()
        self._go.release()

    async def tick(self, count: int = 1) -> None:
        """Let the loop run ``count`` more ticks, one after the other, each to its end."""
        for _ in range(count):
            await self.parked()
            self._parked.clear()
            self._go.release()
            await self.parked()


@pytest.fixture(autouse=True, scope="session")
def patient_connect() -> Iterator[None]:
    """``WebsocketCommunicator.connect`` waits ``HANG_S`` for the handshake, not its 1 s.

    A consumer's first answer builds the whole page (a simulation and its first render);
    on a loaded CI machine, beside the browser pass, that once took over a second and
    failed a test that was not broken. A refused connection still answers at once.
    """
    from channels.testing import WebsocketCommunicator

    quick = WebsocketCommunicator.connect

    async def connect(
        self: WebsocketCommunicator, timeout: float = HANG_S
    ) -> tuple[bool, int | str | None]:
        return await quick(self, timeout)

    WebsocketCommunicator.connect = connect
    yield
    WebsocketCommunicator.connect = quick


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> ManualTicks:
    """Every consumer opened in this test ticks only when the test says so."""
    from architect.sandbox.consumers import SandboxConsumer

    manual = ManualTicks()
    monkeypatch.setattr(SandboxConsumer, "clock", staticmethod(manual.clock))
    monkeypatch.setattr(SandboxConsumer, "wait", staticmethod(manual.wait))
    return manual


def connect(
    path: str = "/ws/sandbox/", headers: list[tuple[bytes, bytes]] = ORIGIN
) -> WebsocketCommunicator:
    """A communicator for ``path`` through ``architect.asgi.application`` (not yet connected)."""
    from channels.testing import WebsocketCommunicator

    from architect.asgi import application

    return WebsocketCommunicator(application, path, headers=headers)


async def send(ws: WebsocketCommunicator, **fields: object) -> None:
    """Send a form the way htmx's ws extension does."""
    await ws.send_to(text_data=json.dumps({**fields, "HEADERS": {"HX-Request": "true"}}))


async def receive(ws: WebsocketCommunicator) -> str:
    """The next message, waiting for it (a consumer that sends none within HANG_S fails)."""
    html = await ws.receive_from(timeout=HANG_S)
    assert isinstance(html, str)
    return html


async def taken(ws: WebsocketCommunicator) -> None:
    """Until the consumer has taken every message sent to it (event loop turns, no clock)."""
    for _ in range(1_000_000):
        if ws.input_queue.empty():
            return
        await asyncio.sleep(0)
    raise AssertionError("the consumer stopped taking messages")


def pending(ws: WebsocketCommunicator) -> Iterator[str]:
    """The messages already sent and not yet received, without waiting for more."""
    while not ws.output_queue.empty():
        message = ws.output_queue.get_nowait()
        assert message["type"] == "websocket.send", message
        yield message["text"]


def error_of(html: str) -> str | None:
    """The error area's content, or None when the message does not carry it."""
    match = re.search(r'<div id="error"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1) if match else None


async def answer(ws: WebsocketCommunicator) -> str:
    """The answer to the last message sent: the next message that carries the error area
    (a tick's message in between is passed over)."""
    while True:
        html = await receive(ws)
        if error_of(html) is not None:
            return html


async def answers(ws: WebsocketCommunicator, *messages: dict[str, object]) -> list[str]:
    """Send each message in turn, waiting for its answer; the answers, in order."""
    said = []
    for fields in messages:
        await send(ws, **fields)
        said.append(await answer(ws))
    return said


async def until(
    ws: WebsocketCommunicator,
    test: Callable[[str], bool],
    ticks: ManualTicks,
    *,
    max_ticks: int = 30,
) -> str:
    """The first message that passes ``test``: first those already sent, then one more
    tick at a time, at most ``max_ticks`` of them."""
    for ticked in range(max_ticks + 1):
        for html in pending(ws):
            if test(html):
                return html
        if ticked < max_ticks:
            await ticks.tick()
    raise AssertionError(f"no message passed the test within {max_ticks} ticks")


def simulated_time(html: str) -> float | None:
    """The simulated time the status line shows, in seconds."""
    match = re.search(r"simulated time ([\d.]+) s", html)
    return float(match.group(1)) if match else None
