"""One socket's protections in one object: every consumer has a ``SocketHost`` and calls
it at each point of the connection's life, so a new consumer cannot forget one.

A ``HostedConsumer`` builds its host before anything else happens and closes it however
the connection ends; ``tests/sandbox/test_host.py`` holds every routed consumer to it.

- ``guard``: an unexpected error in a receive, step or send is logged once per kind and
  the socket stays open (``guard.Failures``); what is sent is made sendable; the tick task
  is stopped at the end (``on_close``).
- ``throttle``: a token bucket per socket; beyond it messages are dropped with at most one
  "slow down" notice a second (``on_receive``, ``slow_down_due``).
- ``caps``, for a socket that runs a simulation of its own (``on_connect``): a place under
  the caps of simulations per process and per address, given back once
  (``on_disconnect``); the step's CPU budget, its share of the process's (``budget``);
  closing when the page was hidden or idle too long (``heard``, ``unused``).
- ``keeping``: the learner's simulation saved on the server for a reconnect (``keep``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from architect.sandbox import caps, keeping
from architect.sandbox.guard import Failures, Guarded, sendable, stop
from architect.sandbox.throttle import Once, TokenBucket

SLOW_DOWN = _("Slow down: too many messages at once. Some were ignored.")  # when dropped


class SocketHost:
    """What protects one socket, whatever it carries (see the module)."""

    def __init__(
        self, logger: logging.Logger, name: str, *, clock: Callable[[], float], rate: int
    ) -> None:
        self.failures = Failures(logger, name)
        self._clock = clock
        self._bucket = TokenBucket(rate, burst=max(5, rate // 2), clock=clock)
        self._slow_down = Once(1.0, clock=clock)
        self.address = ""
        self.admitted = False
        self.idle = caps.Idle(clock())
        self.keeper: keeping.Keeper | None = None

    # --- the connection's life ----------------------------------------------------------

    def on_connect(self, scope: dict[str, Any], lang: str) -> str | None:
        """Take a place under the caps for the socket's simulation: None, or why not
        (in ``lang``: the page is told, then the socket closed)."""
        self.address = caps.client_address(scope)
        with translation.override(lang):
            refusal = caps.ADMISSION.refusal(self.address)
        if refusal is None:
            caps.ADMISSION.enter(self.address)
            self.admitted = True
            self.idle = caps.Idle(self._clock())
        return refusal

    def on_receive(self) -> bool:
        """Whether a message that came may be handled (within the socket's rate)."""
        return self._bucket.allow()

    def slow_down_due(self) -> bool:
        """Whether a dropped message should be answered with "slow down" (once a second)."""
        return self._slow_down.ready()

    def on_disconnect(self) -> None:
        """Give back the socket's place under the caps (once; also after a failed connect)
        and its share of the CPU (a socket that steps a simulation without a place of its
        own, a student's copy, has one too)."""
        self.stopped()
        if self.admitted:
            self.admitted = False
            caps.ADMISSION.leave(self.address, id(self))

    async def on_close(self, ticker: asyncio.Task[Any] | None) -> None:
        """However the connection ended: the tick task stopped, the place given back, how
        often each failure came back logged."""
        await stop(ticker)
        self.on_disconnect()
        self.failures.close()

    # --- while it lasts -----------------------------------------------------------------

    def guard(self, where: str) -> Guarded:
        return self.failures.guard(where)

    def budget(self, *, running: bool, tick: float) -> float:
        """The CPU time the next step may take: this socket's share of the process's."""
        caps.ADMISSION.set_running(id(self), running)
        return caps.ADMISSION.share() * tick

    def stopped(self) -> None:
        """The socket's simulation no longer runs: its CPU share goes to the others."""
        caps.ADMISSION.set_running(id(self), False)

    def heard(self, *, hidden: bool) -> None:
        self.idle.heard(self._clock(), hidden=hidden)

    def unused(self, lang: str) -> str | None:
        """Why the socket should close now, hidden or idle too long (in ``lang``), or None."""
        with translation.override(lang):
            return self.idle.reason(self._clock())

    def keep(
        self, scope: dict[str, Any], place: str, worth: Callable[[dict[str, Any]], object]
    ) -> keeping.Keeper:
        """The keeper of this socket's simulation for its learner, in ``place``."""
        self.keeper = keeping.Keeper(scope, place, self._clock, worth)
        return self.keeper


class HostedConsumer(AsyncWebsocketConsumer):
    """A consumer with its ``SocketHost`` (``host``): built first, closed last, however
    the connection ends; every text sent goes through it. Subclasses set ``rate_setting``
    (the setting that caps messages per second) and keep their tick task in ``ticker``."""

    rate_setting = "SANDBOX_MAX_MESSAGES_PER_SECOND"
    ticker: asyncio.Task[None] | None = None
    # Seams for tests: the clock the host and the tick loop read, and how the loop waits
    # for its next tick (tests swap both to drive ticks themselves).
    clock: Callable[[], float] = staticmethod(time.monotonic)
    wait: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        rate = int(getattr(settings, self.rate_setting))
        kind = type(self)
        self.host = SocketHost(
            logging.getLogger(kind.__module__), kind.__name__, clock=self.clock, rate=rate
        )
        try:
            await super().__call__(scope, receive, send)
        finally:  # also when the connection ended with an error: no tick task is left
            await self.host.on_close(self.ticker)
            self.closed()

    def closed(self) -> None:
        """Called once the connection is over (nothing to do here)."""

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        """Send, the text made sendable; a failed send (the socket already closed) is
        noted, not raised."""
        with self.host.guard("send"):
            text = None if text_data is None else sendable(text_data)
            await super().send(text_data=text, bytes_data=bytes_data, close=close)
