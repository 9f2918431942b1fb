"""Whose drawing runs next on a web process's event loop: answers to clicks before ticks.

With simulation workers, a web process's event loop mostly draws: every tick's snapshot
comes back from a worker and is rendered there. When the answers of many steps come back
together, their renders used to run one after another in one turn of the loop, and
everything else waited behind all of them, a click's every hop included (a click passes
the loop about ten times between its frame and its answer: measured with ``trace``,
bench/README.md, "A click beside a heavy simulation"). ``Turns`` lets one drawing run per
turn of the loop, granting the next one only after the loop has looked at its sockets
again, and grants urgent ones (a command's answer) before the others. A drawing is
synchronous: the turn is held from the grant to ``release``, never across an ``await``.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Turns:
    """One drawing at a time, urgent ones first, each granted on a later turn of the loop."""

    def __init__(self) -> None:
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()
        self._busy = False
        self._granting = False

    def waiting(self, *, urgent: bool) -> int:
        """How many drawings wait for a turn (urgent ones, or the others)."""
        return sum(1 for f in (self._urgent if urgent else self._others) if not f.done())

    @asynccontextmanager
    async def turn(self, *, urgent: bool) -> AsyncIterator[None]:
        """Wait for this drawing's turn (urgent: ahead of every waiting non-urgent one);
        the body must not await."""
        loop = asyncio.get_running_loop()
        granted: asyncio.Future[None] = loop.create_future()
        (self._urgent if urgent else self._others).append(granted)
        self._soon(loop)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release(loop)  # granted, but its task ended first: pass it on
            raise
        try:
            yield
        finally:
            self._release(loop)

    def _soon(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._busy and not self._granting:
            self._granting = True
            loop.call_soon(self._grant)

    def _grant(self) -> None:
        self._granting = False
        for queue in (self._urgent, self._others):
            while queue:
                granted = queue.popleft()
                if not granted.done():  # a cancelled waiter is passed over
                    self._busy = True
                    granted.set_result(None)
                    return

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        self._busy = False
        if self._urgent or self._others:
            self._soon(loop)


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Turns] = weakref.WeakKeyDictionary()


def turns() -> Turns:
    """The running event loop's (one per loop: a test's loop leaves nothing to the next)."""
    loop = asyncio.get_running_loop()
    if loop not in _BY_LOOP:
        _BY_LOOP[loop] = Turns()
    return _BY_LOOP[loop]
