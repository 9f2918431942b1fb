"""The lesson editor's sandbox socket: the sandbox's consumer, started from a stage and
noting what its editor does (``capture``). Transport only, like ``SandboxConsumer``: it
reads the vocabulary's ``AUTHORING_ACTIONS`` (the sandbox's and ``record``), hands engine
actions to the session and the log what was carried out, and sends the capture panel
(``capture_views.PANEL``) with the sandbox's fragments. Only the plan's editors connect.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

from architect.sandbox import workers
from architect.sandbox.consumers import SandboxConsumer
from architect.sandbox.live import LiveSession
from architect.sim.actions import AUTHORING_ACTIONS, ENGINE_ACTIONS, Action, action_name
from architect.sim.commands import LessonCommand, Record, Reset
from architect.sim.loader import load_topology
from authoring import capture_views
from authoring.capture import Capture, fingerprint
from authoring.models import Plan
from authoring.permissions import can_edit

REFUSED = 4403


class CaptureConsumer(SandboxConsumer):
    accepts = AUTHORING_ACTIONS

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        if not await database_sync_to_async(self._load)(kwargs["plan"], int(kwargs["index"])):
            await self.close(code=REFUSED)
            return
        await super().connect()

    def _load(self, slug: str, index: int) -> bool:
        """The stage's start, for one of the plan's editors; False for anyone else."""
        plan = Plan.objects.select_related("draft").filter(slug=slug).first()
        if plan is None or not can_edit(self.scope.get("user"), plan):
            return False
        start = capture_views.stage_start(plan, index)
        if start is None:
            return False
        self.start = start
        self.capture = Capture(fingerprint(start))
        self.place = capture_views.place(plan, index)
        return True

    def build_session(self) -> workers.Session:
        pool = workers.configured_pool()
        if pool is not None:
            return workers.RemoteSession(pool, load_topology(self.start))
        return LiveSession(lambda: load_topology(self.start), clock=self.clock)

    def restore(self, state: dict[str, Any]) -> None:
        """Go on from the kept sandbox only if it started where the stage starts now."""
        log = state.get("capture")
        if isinstance(log, dict) and log.get("start") == self.capture.start:
            self.capture = Capture.from_data(log, self.capture.start)
            super().restore(state)

    def state(self) -> dict[str, Any]:
        return {**super().state(), "capture": self.capture.as_data()}

    def apply(self, command: Action) -> None:
        if isinstance(command, Record):
            self.capture.recording = command.on
            return
        assert not isinstance(command, LessonCommand)  # not in AUTHORING_ACTIONS
        self.session.apply(command)
        if isinstance(command, Reset):
            self.capture.clear()
        elif action_name(command) in ENGINE_ACTIONS:
            self.capture.note(command, at=self.session.snapshot().t)  # type: ignore[arg-type]

    def _render(self, *, error: str | Promise | None = None, full: bool = False) -> str:
        html = super()._render(error=error, full=full)
        with translation.override(self.lang):
            context = capture_views.panel_context(self.capture)
            return html + render_to_string(capture_views.PANEL, context)
