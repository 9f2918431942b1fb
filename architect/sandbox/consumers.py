"""One live simulation per WebSocket: transport only.

Messages are read by ``protocol`` (the action vocabulary, for the actions the socket
``accepts``), carried out by ``live.LiveSession`` and answered with HTML fragments from
``fragments``. A tick task advances the simulation off the event loop (in a thread, or in
a worker process when ``SIM_WORKERS`` asks for them: ``workers``); an ``asyncio.Lock``
keeps commands and steps apart.

The socket's protections are its ``host.SocketHost``, called at each point of its life:
every receive, step and send runs under its guard (an unexpected error is logged once per
kind, the socket stays open) and its rate limit, and the tick task is stopped however the
connection ends. A connection over the process's or its address's cap of simulations is
told why and closed with "try again later"; each step may take the connection's share of
the CPU; a socket long hidden or unused is told and closed (``caps``). What the learner
built is kept on the server (the host's ``keeping.Keeper``) and is where a new socket starts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from architect.sandbox import caps, keeping, workers
from architect.sandbox.controls import WITHOUT_TRAFFIC
from architect.sandbox.error_text import error_text
from architect.sandbox.fragments import Renderer, render
from architect.sandbox.guard import stop
from architect.sandbox.host import SLOW_DOWN, HostedConsumer
from architect.sandbox.live import LiveSession, step_where_cheapest
from architect.sandbox.protocol import ProtocolError, parse
from architect.sandbox.trace import Trace, client_sent
from architect.sandbox.turns import turns
from architect.sim.actions import SANDBOX_ACTIONS, Action
from architect.sim.commands import CommandError, LessonCommand, Record
from architect.sim.model.presets import single_server
from architect.sim.snapshot import Snapshot

logger = logging.getLogger(__name__)

GUEST_SESSION = "sandbox/connection.html#guest-session"
BROKEN = _("Something went wrong with that message; the simulation is still running.")


def language(scope: dict[str, Any]) -> str:
    """The ``?lang=`` of the connection if the site offers it, else the default."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    wanted = query.get("lang", [""])[0]
    offered = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in offered else settings.LANGUAGE_CODE


class SandboxConsumer(HostedConsumer):
    """The free sandbox; subclasses change what it starts from and what it offers
    (``build_session``, ``build_renderer``), which actions it accepts and who carries
    them out (``accepts``, ``apply``, ``applied``) and add to what a tick sends (``_step``)."""

    traced: Trace | None = None  # the message being answered, when tracing (``trace``)
    commands = 0  # commands carried out so far: a step drawn later is older than the last
    place = keeping.SANDBOX
    accepts: tuple[str, ...] = SANDBOX_ACTIONS

    def build_session(self) -> workers.Session:
        pool = workers.configured_pool()
        if pool is not None:
            return workers.RemoteSession(pool, single_server())
        return LiveSession(single_server, clock=self.clock)

    def build_renderer(self) -> Renderer:
        return Renderer()

    def closed(self) -> None:
        self.close_session()

    def close_session(self) -> None:
        """A worker forgets the connection's simulation (nothing to do in-process)."""
        if hasattr(self, "session"):
            self.session.close()

    async def connect(self) -> None:
        self.lang = language(self.scope)
        if not await self._admit():
            return
        try:
            await self._start()
        except BaseException:
            self._leave()  # no disconnect() follows a failed connect
            raise
        self.renderer = self.build_renderer()
        self.lock = asyncio.Lock()
        await self.send_html(self._render(full=True))
        self.ticker = asyncio.create_task(self._tick())

    async def _start(self) -> None:
        """The session, from what was kept for this learner here if anything."""
        self.keeper = self.host.keep(self.scope, self.place, self.worth)
        kept = await database_sync_to_async(self.keeper.load)()
        await asyncio.to_thread(self._open, kept)  # a worker's answer is waited for
        self.keeper.started(self.state())

    def _open(self, kept: dict[str, Any] | None) -> None:
        self.session = self.build_session()
        if kept is not None:
            self.restore(kept)

    async def _admit(self) -> bool:
        """Take a place under the caps, or tell the page why not and close."""
        refusal = self.host.on_connect(self.scope, self.lang)
        await self.accept()
        if refusal is not None:
            await self.send_html(render(["error"], {"error": refusal}))
            await self.close(code=caps.TRY_AGAIN_LATER)
            return False
        return True

    def restore(self, state: dict[str, Any]) -> None:
        """Go on from a kept state (a subclass keeps more than the session)."""
        keeping.restore_session(self.session, state)

    def state(self) -> dict[str, Any]:
        """What is kept of this socket's simulation."""
        return keeping.session_state(self.session)

    def worth(self, state: dict[str, Any]) -> object:
        """The learner's own work in a kept state: worth a guest session when it changed."""
        return state["topology"]

    def _leave(self) -> None:
        """Give back this connection's place under the caps (once)."""
        self.host.on_disconnect()

    async def disconnect(self, code: int) -> None:
        self._leave()
        await stop(self.ticker)

    async def send_html(self, html: str) -> None:
        """Send fragments (through the host: see ``HostedConsumer.send``)."""
        await self.send(text_data=html)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with self.host.guard("receive"):
            if not self.host.on_receive():
                if self.host.slow_down_due():
                    await self._send_error(SLOW_DOWN)
                return
            text = text_data if text_data is not None else bytes_data or b""
            trace = self._trace("message", text)
            async with self.lock:
                self.traced = trace
                self._mark("locked")
                try:
                    html = await self.answer(text)
                except Exception as error:
                    self.host.failures.noted("answer", error)
                    html = self._render(error=BROKEN)
                self.traced = None
            self.host.heard(hidden=self.session.hidden)
            await self.send_html(html)
            self._traced(trace)

    def _trace(self, kind: str, text: str | bytes | None = None) -> Trace | None:
        """A trace of one message (``text``) or tick when ``SANDBOX_TRACE_FILE`` asks."""
        if not settings.SANDBOX_TRACE_FILE:
            return None
        trace = Trace(kind, None if text is None else client_sent(text))
        trace.mark("received" if kind == "message" else "tick")
        return trace

    def _mark(self, name: str) -> None:
        if self.traced is not None:
            self.traced.mark(name)

    def _traced(self, trace: Trace | None) -> None:
        """Write a finished trace (sent now)."""
        if trace is not None:
            trace.mark("sent")
            trace.write(settings.SANDBOX_TRACE_FILE)

    async def answer(self, text: str | bytes) -> str:
        """The fragments that answer one message (called under the lock)."""
        with translation.override(self.lang):
            try:
                command = parse(
                    text, accepts=self.accepts, max_bytes=settings.SANDBOX_MAX_MESSAGE_BYTES
                )
                await asyncio.to_thread(self.apply, command)  # in a worker: waited for
                self.commands += 1
                self._worker_marks()
            except ProtocolError as error:
                return await self._answered(error.message)
            except CommandError as error:
                return await self._answered(error_text(error))
        await self.applied(command)
        await self.keeper.keep(self.state(), now=True)
        self._mark("kept")
        return await self._answered("")

    async def _answered(self, error: str) -> str:
        """The fragments answering a message, drawn at the loop's next urgent turn
        (``turns``: before the ticks waiting to be drawn)."""
        async with turns().turn(urgent=True):
            html = self._render(error=error)
        self._mark("drawn")
        return html

    def _worker_marks(self) -> None:
        """The traced request's way through its worker, and its return to the event loop."""
        if self.traced is not None:
            if isinstance(self.session, workers.RemoteSession):
                self.traced.marks_from(self.session.timing)
            self.traced.mark("back on loop")

    def apply(self, command: Action) -> None:
        """Carry out one accepted command; ``CommandError`` when it is refused."""
        assert not isinstance(command, LessonCommand | Record)  # not in SANDBOX_ACTIONS
        self.session.apply(command)

    async def applied(self, command: Action) -> None:
        """Called after a command was carried out (nothing to do here)."""

    async def _tick(self) -> None:
        tick = settings.SANDBOX_TICK_SECONDS
        while True:
            started = self.clock()
            with self.host.guard("tick"):
                if await self._unused():
                    return
                self._budget(tick)
                trace = self._trace("tick")
                async with self.lock:
                    self.traced = trace
                    self._mark("locked")
                    stepped = await self._advance(tick * settings.SANDBOX_TIME_SCALE)
                    self.traced = None
                html = stepped if isinstance(stepped, str) else await self._draw_in_turn(stepped)
                if trace is not None and not isinstance(stepped, str):
                    trace.mark("drawn")
                if html:  # nothing changed (paused): nothing to send
                    await self.send_html(html)
                    self._traced(trace)
                await self.after_tick()
                await self._keep_now_and_then()
            await self.wait(max(0.0, tick - (self.clock() - started)))

    async def _unused(self) -> bool:
        """Close the socket, telling the page why, when it was hidden or idle too long."""
        reason = self.host.unused(self.lang)
        if reason is None:
            return False
        async with self.lock:
            await self.keeper.keep(self.state(), now=True)
            html = self._render(error=reason)
        await self.send_html(html)
        self._leave()
        await self.close(code=caps.CLOSED_UNUSED)
        return True

    async def _keep_now_and_then(self) -> None:
        """Keep changes the simulation made by itself (autoscaling, scripted events), at
        most every ``SANDBOX_KEEP_SECONDS``."""
        if self.keeper.due() and not await self.keeper.keep(self.state()):
            self.keeper.looked()

    def _budget(self, tick: float) -> None:
        """The CPU time the next step may take: this connection's share of the process's."""
        self.session.budget = self.host.budget(running=self.session.running, tick=tick)

    async def after_tick(self) -> None:
        """Called on the event loop after each tick was sent (nothing to do here)."""

    async def _advance(self, tick: float) -> str | tuple[Snapshot, int]:
        """Step (called under the lock): here, drawn at once (on the event loop when the
        step is known to be short, else in a thread); in a worker, the snapshot it sends
        and the commands carried out so far, drawn by ``_draw_in_turn`` after the lock."""
        if isinstance(self.session, LiveSession):
            return await step_where_cheapest(
                self.session, tick, self._step, inline_up_to=settings.SANDBOX_INLINE_STEP_SECONDS
            )
        snapshot = await self.session.advance(tick)
        self._worker_marks()
        return snapshot, self.commands

    async def _draw_in_turn(self, stepped: tuple[Snapshot, int]) -> str:
        """A worker's step drawn at this connection's turn (``turns``: a click's answer
        goes first, and the lock is not held meanwhile, so a click does not wait for it);
        nothing when a command came since the step or is under way (its answer draws a
        newer state, which this older one must not follow)."""
        snapshot, commands = stepped
        async with turns().turn(urgent=False):
            if commands != self.commands or self.lock.locked():
                return ""
            return self._draw(snapshot)

    def _step(self, wall_dt: float) -> str:
        return self._draw(self.session.step(wall_dt))

    def _draw(self, snapshot: Snapshot) -> str:
        """The fragments a tick sends for the snapshot its step made."""
        with translation.override(self.lang):
            return self.renderer.render(snapshot, self.session.status)

    def _render(self, *, error: str | Promise | None = None, full: bool = False) -> str:
        """Fragments for the current state; the error is translated here, in the user's language."""
        with translation.override(self.lang):
            html = self.renderer.render(
                self.session.snapshot(),
                self.session.status,
                error=None if error is None else str(error),
                full=full,
            )
        if self.keeper.token:  # a guest session was created to keep something: adopt it
            html += render_to_string(GUEST_SESSION, {"guest_token": self.keeper.token})
            self.keeper.token = ""
        return html

    async def _send_error(self, message: Promise) -> None:
        async with self.lock:
            html = self._render(error=message)
        await self.send_html(html)


class CompareConsumer(SandboxConsumer):
    """One side of a comparison (``compare_views``): the sandbox, kept in the side's own
    place (``compare:a`` or ``compare:b``). Each side is a socket of its own, so the caps
    admit and share the CPU between two simulations, as for any two. Its page draws no
    traffic control: the run page sets the same traffic on both sides (``compare.js``)."""

    async def connect(self) -> None:
        side = self.scope["url_route"]["kwargs"]["side"]
        self.place = f"compare:{side}"
        await super().connect()

    def build_renderer(self) -> Renderer:
        return Renderer(offered=WITHOUT_TRAFFIC)
