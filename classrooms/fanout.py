"""A room's messages to this process's screens: one hop for all of them, not one each.

Every screen of a room in this process registers here (``join``). The room's owner, when
it runs in this process, hands each state message straight to them (``deliver``); for
the screens in other processes it also sends it once to the room's group, where each
process has one ``Relay`` (one channel, joined with the first screen of the room, left
with the last) that hands what it receives to its own screens. A relay skips the state
messages of an owner in its own process: those screens had them first hand. So a
message costs the channel layer one send and one read per process, not one per screen
(sixty phones: sixty copies, sixty queue reads, and with Redis sixty deserialisations of
the same message, five times a second).

Each screen handles its messages one at a time, in order (``Inbox``): the owner's loop
calls the screen's handler itself, with no task per screen and message; a message that
comes while the screen is still busy with another waits in line, and a state message
replaces an older one still waiting (the newer state is all a screen needs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import get_channel_layer

from classrooms import lease
from classrooms.fragments import RoomView

logger = logging.getLogger(__name__)
STATE = "room.state"
FROM = "process"  # the publishing owner's process, on state messages sent to the group
RETRY_S = 1.0  # a relay whose channel layer failed listens again after this


def viewers_group(room_id: int) -> str:
    return f"room.{room_id}"


class Inbox:
    """One screen's room messages, handled one at a time in order by ``handle``."""

    def __init__(self, handle: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self.handle = handle
        self.waiting: deque[dict[str, Any]] = deque()
        self.busy = False

    async def put(self, message: dict[str, Any]) -> None:
        """Handle ``message`` now, or after the one being handled (the caller then goes
        on at once: whoever handles the first handles what came meanwhile)."""
        waiting = self.waiting
        if waiting and message.get("type") == STATE and waiting[-1].get("type") == STATE:
            waiting[-1] = message
        else:
            waiting.append(message)
        if self.busy:
            return
        self.busy = True
        try:
            while waiting:
                next_one = waiting.popleft()
                try:
                    await self.handle(next_one)
                except Exception:
                    logger.exception("room message %s failed on a screen", next_one.get("type"))
        finally:
            self.busy = False


class Relay:
    """This process's one member of a room's group: hands on what other processes send."""

    def __init__(self, room_id: int) -> None:
        self.room_id = room_id
        self.inboxes: dict[int, Inbox] = {}
        self.layer = get_channel_layer()
        self.channel = ""
        self.task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(viewers_group(self.room_id), self.channel)
        try:
            while True:
                try:
                    await self._hand_on(await self.layer.receive(self.channel))
                except Exception:  # the layer's server gone for a moment: keep listening
                    logger.exception("room %s: relay failed", self.room_id)
                    await asyncio.sleep(RETRY_S)
        finally:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(viewers_group(self.room_id), self.channel)

    async def _hand_on(self, message: dict[str, Any]) -> None:
        if message.get("type") == STATE:
            if message.get(FROM) == lease.PROCESS:
                return  # published here: delivered first hand
            # read once for every screen here
            view = RoomView.read(self.room_id, int(message["seq"]), str(message["text"]))
            message = {**message, "view": view}
        await self.deliver(message)

    async def deliver(self, message: dict[str, Any]) -> None:
        for inbox in list(self.inboxes.values()):
            await inbox.put(message)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


_relays: dict[int, Relay] = {}


def join(room_id: int, key: int, inbox: Inbox) -> None:
    """``inbox`` gets the room's messages from now on (``key``: its screen's, to leave)."""
    relay = _relays.get(room_id)
    if relay is None or relay.task.done():
        relay = _relays[room_id] = Relay(room_id)
    relay.inboxes[key] = inbox


async def leave(room_id: int, key: int) -> None:
    relay = _relays.get(room_id)
    if relay is None:
        return
    relay.inboxes.pop(key, None)
    if not relay.inboxes:
        del _relays[room_id]
        await relay.stop()


async def publish(room_id: int, message: dict[str, Any], view: RoomView) -> None:
    """A state message from the room's owner in this process: first hand to this
    process's screens (with ``view``, the message already read), once through the
    channel layer to the other processes' relays."""
    relay = _relays.get(room_id)
    if relay is not None:
        await relay.deliver({**message, "view": view})
    await get_channel_layer().group_send(viewers_group(room_id), {**message, FROM: lease.PROCESS})


def screens(room_id: int) -> int:
    """This process's screens of the room (tests)."""
    relay = _relays.get(room_id)
    return len(relay.inboxes) if relay is not None else 0


async def stop_all() -> None:
    """Stop every relay of this process (tests)."""
    for relay in list(_relays.values()):
        await relay.stop()
    _relays.clear()
