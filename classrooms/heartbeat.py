"""Each process's heartbeat for its room connections: presence and owners.

One task per process, started with its first room connection: every
``CLASSROOM_PRESENCE_SECONDS`` (from a random phase, so processes started together do
not beat together) it renews the ``Presence`` rows of all its connections in one
``UPDATE``, deletes rows nobody renewed, and makes sure each room it has connections to
has a live owner: when no process holds a room's lease (its owner died), this one takes
the room over from its last checkpoint (``runner.ensure``).
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


class Heartbeat:
    clock: Callable[[], float] = staticmethod(time.monotonic)
    wait: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)
    phase: Callable[[], float] = staticmethod(random.random)

    def __init__(self) -> None:
        self.rooms: Counter[int] = Counter()  # room id → this process's connections
        self.task: asyncio.Task[None] | None = None

    def join(self, room_id: int) -> None:
        self.rooms[room_id] += 1
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    def leave(self, room_id: int) -> None:
        self.rooms[room_id] -= 1
        if self.rooms[room_id] <= 0:
            del self.rooms[room_id]

    async def _run(self) -> None:
        period = settings.CLASSROOM_PRESENCE_SECONDS
        await self.wait(self.phase() * period)
        while self.rooms:
            started = self.clock()
            try:
                await self.beat()
            except Exception:
                logging.getLogger(__name__).exception("classroom heartbeat failed")
            await self.wait(max(0.0, period - (self.clock() - started)))

    async def beat(self) -> None:
        await database_sync_to_async(presence.renew)(process=lease.PROCESS)
        await database_sync_to_async(presence.sweep)()
        for room_id in list(self.rooms):
            await runner.ensure(room_id)

    async def stop(self) -> None:
        self.rooms.clear()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


HEARTBEAT = Heartbeat()
