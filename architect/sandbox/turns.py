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


class Turns:
    """One drawing at a time, urgent ones first; a granted drawing runs on a later turn of
    the loop (its task is woken by ``call_soon``), so each turn runs at most one."""

    def __init__(self) -> None:
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()
        self._busy = False

    def waiting(self, *, urgent: bool) -> int:
        """How many drawings wait for a turn (urgent ones, or the others)."""
        return sum(1 for f in (self._urgent if urgent else self._others) if not f.done())

    def turn(self, *, urgent: bool) -> Turn:
        """``async with turns.turn(urgent=...):`` around a drawing (urgent: ahead of every
        waiting non-urgent one); the body must not await."""
        return Turn(self, urgent)

    async def _wait(self, urgent: bool) -> None:
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._others).append(granted)
        if not self._busy:
            self._grant()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # granted, but its task ended first: pass it on
            raise

    def _grant(self) -> None:
        for queue in (self._urgent, self._others):
            while queue:
                granted = queue.popleft()
                if not granted.done():  # a cancelled waiter is passed over
                    self._busy = True
                    granted.set_result(None)
                    return

    def _release(self) -> None:
        self._busy = False
        self._grant()


class Turn:
    """One drawing's turn, as an asynchronous context manager."""

    __slots__ = ("turns", "urgent")

    def __init__(self, turns: Turns, urgent: bool) -> None:
        self.turns, self.urgent = turns, urgent

    async def __aenter__(self) -> None:
        await self.turns._wait(self.urgent)

    async def __aexit__(self, *exc: object) -> None:
        self.turns._release()


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Turns] = weakref.WeakKeyDictionary()


def turns() -> Turns:
    """The running event loop's (one per loop: a test's loop leaves nothing to the next)."""
    loop = asyncio.get_running_loop()
    if loop not in _BY_LOOP:
        _BY_LOOP[loop] = Turns()
    return _BY_LOOP[loop]
