"""A room's screens: the instructor's console, the projector, and (``students.py``) each
student's phone. Transport only.

Every screen joins the room's group and draws the owner's state messages in its own
language (``fragments``); the instructors' commands go to the owner's group, which
answers with ``room.done`` (and an error, if refused). A screen records its presence
(``presence``) and its process's heartbeat renews it; on connect it makes sure the room
has an owner (``runner.ensure``) and asks it for the current state (``room.hello``).
Like every consumer, a screen's protections (rate limit, guarded receives and sends) are
its ``SocketHost`` (``architect.sandbox.host``).
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from architect.sandbox import fragments as sandbox_fragments
from architect.sandbox.consumers import BROKEN, language
from architect.sandbox.error_text import error_text
from architect.sandbox.fragments import Renderer
from architect.sandbox.host import SLOW_DOWN, HostedConsumer
from architect.sandbox.protocol import ProtocolError, decode
from architect.sim.actions import action_data
from architect.sim.commands import CommandError
from classrooms import fragments, lease, panels, presence, protocol, selectors, services
from classrooms.fragments import Feed, Parts, RoomView
from classrooms.heartbeat import HEARTBEAT
from classrooms.models import Room
from classrooms.permissions import can_drive
from classrooms.runner import ensure, owner_group, viewers_group
from lessons.models import Stage

logger = logging.getLogger(__name__)
CLOSE_FORBIDDEN = 4403
CLOSE_ENDED = 4410
DASHBOARD_SECONDS = 2.0


class RoomScreen(HostedConsumer):
    """What every screen of a room does; subclasses say who may open it (``admit``) and
    what it draws (``draw``) and accepts (``act``)."""

    role = ""
    room: Room
    participant_id: int | None = None
    rate_setting = "CLASSROOM_MAX_MESSAGES_PER_SECOND"

    async def connect(self) -> None:
        self.lang = language(self.scope)
        self.joined = False
        code = str(self.scope["url_route"]["kwargs"]["code"])
        admitted = await database_sync_to_async(self._admit)(code)
        if admitted is not None:
            await self.close(code=admitted)
            return
        self.seq = -1
        self.stages: dict[int, Stage] = {}
        await self.accept()
        await self.channel_layer.group_add(viewers_group(self.room.id), self.channel_name)
        await database_sync_to_async(presence.enter)(
            channel_name=self.channel_name,
            process=lease.PROCESS,
            room_id=self.room.id,
            role=self.role,
            participant_id=self.participant_id,
        )
        self.joined = True
        HEARTBEAT.join(self.room.id)
        await ensure(self.room.id)
        await self.to_owner({"type": "room.roster"})
        await self.to_owner({"type": "room.hello", "reply_to": self.channel_name})

    def _admit(self, code: str) -> int | None:
        """None when this connection may open the room's screen, else the close code."""
        try:
            self.room = selectors.room_get(code=code)
        except Room.DoesNotExist:
            return CLOSE_FORBIDDEN
        if not self.room.active:
            return CLOSE_ENDED
        return None if self.admit() else CLOSE_FORBIDDEN

    def admit(self) -> bool:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "joined", False):
            return
        self.joined = False
        await self.channel_layer.group_discard(viewers_group(self.room.id), self.channel_name)
        await database_sync_to_async(presence.leave)(channel_name=self.channel_name)
        HEARTBEAT.leave(self.room.id)
        await self.to_owner({"type": "room.roster"})

    async def to_owner(self, message: dict[str, Any]) -> None:
        await self.channel_layer.group_send(owner_group(self.room.id), message)

    def stage(self, index: int) -> Stage:
        if index not in self.stages:
            self.stages[index] = selectors.pinned_stage(room=self.room, index=index)
        return self.stages[index]

    # --- in ----------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.host.on_receive():
            if self.host.slow_down_due():
                with translation.override(self.lang):
                    await self.send_error(str(SLOW_DOWN))
            return
        with translation.override(self.lang):
            try:
                data = decode(
                    text_data if text_data is not None else bytes_data or b"",
                    max_bytes=settings.SANDBOX_MAX_MESSAGE_BYTES,
                )
                await self.act(data)
            except ProtocolError as problem:
                await self.send_error(problem.message)
            except CommandError as refused:
                await self.send_error(refused_text(refused))
            except Exception as error:
                self.host.failures.noted("receive", error)
                await self.send_error(str(BROKEN))

    async def act(self, data: dict[str, Any]) -> None:
        raise ProtocolError("unknown_action", _("This screen only shows the room."))

    async def send_error(self, message: str) -> None:
        await self.send(text_data=render_error(message))

    # --- out ---------------------------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        """The room's state goes straight to ``room_state``: Channels would first close old
        database connections on its one database thread, for each screen and each
        message (sixty phones, five times a second, queued behind every query); drawing
        it reads no database (what does, the dashboard, goes through that thread itself)."""
        if message.get("type") == "room.state":
            await self.room_state(message)
        else:
            await super().dispatch(message)

    async def room_state(self, message: dict[str, Any]) -> None:
        view = RoomView.read(self.room.id, int(message["seq"]), str(message["text"]))
        html = await self.draw(view, private=bool(message.get("private")))
        self.seq = view.seq
        if html:
            await self.send(text_data=html)
        if view.control.ended:
            await self.close(code=CLOSE_ENDED)

    async def draw(self, view: RoomView, *, private: bool) -> str:
        """This screen's HTML for ``view``, in its language (each screen turns its
        language on only where it draws: most of what a screen sends is drawn once for
        all the screens of its kind and language, by a ``Feed``)."""
        raise NotImplementedError

    def from_feed(self, view: RoomView, feed: Feed) -> str:
        """The feed's drawing for this screen: what changed, or all when it missed one."""
        previous, html = feed.delta(view)
        return html if previous == self.seq and self.seq >= 0 else feed.full(view)

    async def room_done(self, message: dict[str, Any]) -> None:
        problem = message.get("error")
        with translation.override(self.lang):
            if problem is None:
                await self.send(text_data=render_error(""))
            else:
                code, text, params = problem
                await self.send_error(refused_text(CommandError(code, text, **params)))

    async def room_kick(self, message: dict[str, Any]) -> None:
        """A participant was removed or renamed (only their own screen cares)."""


def refused_text(error: CommandError) -> str:
    known = fragments.ROOM_ERRORS.get(error.code)
    return str(known) if known is not None else error_text(error)


def render_error(message: str) -> str:
    return sandbox_fragments.render(["error"], {"error": message})


class ConsoleConsumer(RoomScreen):
    """The instructor's console: every control of the shared simulation and the room."""

    role = "instructor"

    def admit(self) -> bool:
        return can_drive(self.scope.get("user"), self.room)

    async def connect(self) -> None:
        self.renderer = Renderer()
        self.parts = Parts()
        self.dashboard_at = float("-inf")
        self.dashboard_drawn: object = None
        self.roster = -1
        await super().connect()

    async def act(self, data: dict[str, Any]) -> None:
        command = protocol.read(
            data, room=protocol.INSTRUCTOR_ROOM_ACTIONS, simulation=protocol.CONSOLE_ACTIONS
        )
        if not await database_sync_to_async(self._still_drives)():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if isinstance(command, protocol.RemoveParticipant | protocol.RenameParticipant):
            await self._seat(command)
            return
        plain = protocol.as_data(command) if protocol.is_room(command) else action_data(command)
        if await ensure(self.room.id) is None and not await database_sync_to_async(self._owned)():
            raise CommandError("no_owner", "no owner")
        await self.to_owner(
            {"type": "room.command", "command": plain, "reply_to": self.channel_name}
        )

    def _still_drives(self) -> bool:
        self.room.refresh_from_db(fields=["ended_at"])
        return self.room.active and can_drive(self.scope.get("user"), self.room)

    def _owned(self) -> bool:
        return bool(lease.holder(room_id=self.room.id))

    async def _seat(self, command: protocol.RemoveParticipant | protocol.RenameParticipant) -> None:
        if isinstance(command, protocol.RemoveParticipant):
            done = await database_sync_to_async(services.participant_remove)(
                room_id=self.room.id, participant_id=command.participant
            )
        else:
            try:
                done = await database_sync_to_async(services.participant_rename)(
                    room_id=self.room.id, participant_id=command.participant, name=command.name
                )
            except Exception as problem:
                raise ProtocolError("bad_name", protocol.name_problem()) from problem
        if not done:
            raise ProtocolError("no_participant", _("There is no such student in this room."))
        kick = {
            "type": "room.kick",
            "participant": command.participant,
            "removed": isinstance(command, protocol.RemoveParticipant),
        }
        await self.channel_layer.group_send(viewers_group(self.room.id), kick)
        await self.to_owner({"type": "room.vote"})  # recount without them
        self.dashboard_at = float("-inf")
        await self.send(text_data=render_error("") + await self._dashboard())

    async def draw(self, view: RoomView, *, private: bool) -> str:
        with translation.override(self.lang):
            return await self._draw(view)

    async def _draw(self, view: RoomView) -> str:
        full = self.seq < 0
        stage = self.stage(view.control.stage)
        self.renderer.offered = None
        html = self.renderer.render(view.snapshot, view.status, full=full)
        html += fragments.goal_part(view, stage, self.parts, full=full)
        html += panels.console_parts(view, stage, self.lang, self.parts, self.room, full=full)
        if (
            full
            or view.roster != self.roster
            or self.clock() - self.dashboard_at >= DASHBOARD_SECONDS
        ):
            self.roster = view.roster
            html += await self._dashboard(again=full)
        return html

    async def _dashboard(self, *, again: bool = False) -> str:
        """The dashboard when it changed (``again``: in any case)."""
        self.dashboard_at = self.clock()
        self.dashboard_drawn, html = await database_sync_to_async(panels.dashboard_html)(
            room=self.room, lang=self.lang, drawn=None if again else self.dashboard_drawn
        )
        return html


class ProjectorConsumer(RoomScreen):
    """The projector: the room's diagram, key figures, goal, poll and board, large."""

    role = "projector"

    def admit(self) -> bool:
        return can_drive(self.scope.get("user"), self.room)

    async def draw(self, view: RoomView, *, private: bool) -> str:
        shared = fragments.feed(self.room.id, "projector", self.lang, self._shared)
        if private or self.seq < 0:
            return shared.full(view)
        return self.from_feed(view, shared)

    def _shared(self, view: RoomView, parts: Parts, *, full: bool) -> str:
        stage = self.stage(view.control.stage)
        html = fragments.simulation_parts(view, parts, ("status", "diagram"), full=full)
        html += fragments.goal_part(view, stage, parts, full=full)
        return html + panels.projector_parts(view, stage, self.lang, parts, self.room, full=full)
