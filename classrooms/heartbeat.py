"""Each process's heartbeat for its room connections: presence, and owners for its rooms.

Two loops per process, started with its first room connection, each from a random phase
(processes started together must not beat together, and a loop's queries must not line
up with another's):

- presence, every ``CLASSROOM_PRESENCE_SECONDS``: renews the ``Presence`` rows of all
  its connections in one ``UPDATE`` and deletes rows nobody renewed (a dead process's);
- takeover, every ``CLASSROOM_TAKEOVER_SECONDS``: one ``SELECT`` asks which of the rooms
  it has connections to have no live owner (the owner died: its lease ran out), and it
  takes each such room over from its last checkpoint (``runner.ensure``).

So a room whose owner died is taken over at most ``CLASSROOM_LEASE_SECONDS`` +
``CLASSROOM_TAKEOVER_SECONDS`` after its last renewal (3 s + 0.5 s by default), by a
process that has a screen of the room, and the dead process's connections stop counting
``presence.alive_seconds()`` after its last renewal (4.5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async
from django.conf import settings

from classrooms import lease, presence, runner

logger = logging.getLogger(__name__)


class Heartbeat:
    clock: Callable[[], float] = staticmethod(time.monotonic)
    wait: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)
    phase: Callable[[], float] = staticmethod(random.random)

    def __init__(self) -> None:
        self.rooms: Counter[int] = Counter()  # room id → this process's connections
        self.tasks: list[asyncio.Task[None]] = []

    def join(self, room_id: int) -> None:
        self.rooms[room_id] += 1
        if not self.tasks or any(task.done() for task in self.tasks):
            for task in self.tasks:
                task.cancel()
            self.tasks = [
                asyncio.create_task(self._every("CLASSROOM_PRESENCE_SECONDS", self.renew)),
                asyncio.create_task(self._every("CLASSROOM_TAKEOVER_SECONDS", self.take_over)),
            ]

    def leave(self, room_id: int) -> None:
        self.rooms[room_id] -= 1
        if self.rooms[room_id] <= 0:
            del self.rooms[room_id]

    async def _every(self, setting: str, work: Callable[[], Awaitable[None]]) -> None:
        """``work`` every ``settings.<setting>`` seconds, from a random phase, while this
        process has room connections."""
        period = float(getattr(settings, setting))
        await self.wait(self.phase() * period)
        while self.rooms:
            started = self.clock()
            try:
                await work()
            except Exception:
                logger.exception("classroom heartbeat (%s) failed", work.__name__)
            await self.wait(max(0.0, period - (self.clock() - started)))

    async def beat(self) -> None:
        """Both loops' work once (tests)."""
        await self.renew()
        await self.take_over()

    async def renew(self) -> None:
        await database_sync_to_async(presence.renew)(process=lease.PROCESS)
        await database_sync_to_async(presence.sweep)()

    async def take_over(self) -> None:
        """Take over the rooms of this process's connections that have no live owner."""
        if not self.rooms:
            return
        orphans = await database_sync_to_async(lease.unowned)(room_ids=list(self.rooms))
        for room_id in orphans:
            mine = runner.running(room_id)  # its lease ran out while it was busy: renewed next
            if await runner.ensure(room_id) not in (None, mine):
                logger.info("room %s: taken over by %s", room_id, lease.PROCESS)

    async def stop(self) -> None:
        self.rooms.clear()
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks = []


HEARTBEAT = Heartbeat()
