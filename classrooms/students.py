"""A student's phone: the room's simulation as a viewer, the stage text, the poll, and
(when the instructor hands copies out) their own copy of the room's architecture.

Transport only. A student answers the poll (the vocabulary's ``predict``), moves to
another stage when the room is not locked (``my_stage``), and drives their own copy
with the sandbox's actions plus ``run`` and ``hint``. The copy is a ``RoomExperiment``
started from the room's architecture at the hand-out, stepped by this connection's own
tick loop like a stage page's; its result (goal met, cost, p99) and design go to the
owner (the live board) and to the database (the dashboard, the CSV).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from architect.sandbox.fragments import Renderer
from architect.sandbox.live import step_where_cheapest
from architect.sandbox.protocol import ProtocolError
from architect.sim.commands import Predict
from architect.sim.loader import dump_topology
from classrooms import fragments, protocol, selectors, services
from classrooms.checkpoint import RoomExperiment
from classrooms.consumers import CLOSE_FORBIDDEN, RoomScreen, render_error
from classrooms.fragments import Parts, RoomView
from classrooms.models import Participant
from lessons import fragments as lesson
from lessons.experiment import Phase

logger = logging.getLogger(__name__)
REPORT_SECONDS = 1.0  # a copy's result goes to the board at most this often


class StudentConsumer(RoomScreen):
    role = "student"
    copy: RoomExperiment | None = None

    def admit(self) -> bool:
        session = self.scope.get("session")
        key = getattr(session, "session_key", None) or ""
        seat = selectors.participant_for(room=self.room, session_key=key)
        if seat is None:
            return False
        self.participant_id, self.number, self.my_stage = seat.id, seat.number, seat.stage_index
        self.mine: dict[tuple[int, int], int] = {
            (v.stage_index, v.round): v.choice for v in seat.votes.all()
        }
        return True

    async def connect(self) -> None:
        self.parts = Parts()
        self.stage_texts: dict[int, dict[str, Any]] = {}
        self.view: RoomView | None = None
        self.copy_trial = 0
        self.copy_lock = asyncio.Lock()
        await super().connect()

    async def disconnect(self, code: int) -> None:
        await self._stop_copy()
        await super().disconnect(code)

    # --- in ----------------------------------------------------------------------------

    async def act(self, data: dict[str, Any]) -> None:
        if self.copy is None and data.get("action") in protocol.COPY_ACTIONS:
            raise ProtocolError("not_now", _("Wait for the instructor to hand out copies."))
        accepts = ("predict", *protocol.COPY_ACTIONS) if self.copy else ("predict",)
        command = protocol.read(data, room=protocol.STUDENT_ROOM_ACTIONS, simulation=accepts)
        if isinstance(command, Predict):
            await self._vote(command.choice)
        elif isinstance(command, protocol.MyStage):
            await self._move(command.stage)
        elif self.copy is not None and not protocol.is_room(command):
            async with self.copy_lock:
                self.copy.apply(command)
                html = self._copy_parts(full=False)
            await self.send(text_data=html + render_error(""))
        else:
            raise ProtocolError("not_now", _("Wait for the instructor to hand out copies."))

    async def _vote(self, choice: int) -> None:
        try:
            stage, round_ = await database_sync_to_async(self._cast)(choice)
        except ValidationError as refused:
            raise ProtocolError(str(refused.code), refused.messages[0]) from None
        self.mine[(stage, round_)] = choice
        await self.to_owner({"type": "room.vote"})
        if self.view is not None:
            await self.send(text_data=self._own_parts(self.view, full=False) + render_error(""))

    def _cast(self, choice: int) -> tuple[int, int]:
        seat = Participant.objects.get(id=self.participant_id, removed_at__isnull=True)
        return services.vote_cast(participant=seat, choice=choice)

    async def _move(self, stage: int) -> None:
        view = self.view
        if view is None or view.control.locked:
            raise ProtocolError("locked", _("The instructor keeps everyone on this stage."))
        if not 0 <= stage < len(self.room.stages):
            raise ProtocolError("no_stage", str(fragments.ROOM_ERRORS["no_stage"]))
        self.my_stage = stage
        await database_sync_to_async(services.participant_move)(
            participant_id=self.participant_id, stage=stage
        )
        await self.to_owner({"type": "room.roster"})
        await self.send(text_data=self._own_parts(view, full=False) + render_error(""))

    # --- out ---------------------------------------------------------------------------

    async def draw(self, view: RoomView, *, private: bool) -> str:
        previous, self.view = self.view, view
        full = previous is None
        if (
            view.control.stage != (previous.control.stage if previous else None)
            and view.control.locked
        ):
            self.my_stage = view.control.stage
        if previous is not None and previous.control.locked and not view.control.locked:
            self.my_stage = view.control.stage
        html = ""
        if view.control.trying and view.control.trial != self.copy_trial:
            html += await self._start_copy(view)
        elif not view.control.trying and self.copy is not None:
            await self._stop_copy()
            with translation.override(self.lang):
                html += fragments.render(["copy-off"], {})
            full = True
        if self.copy is None:
            shared = fragments.feed(self.room.id, "student", self.lang, self._shared)
            html += shared.full(view) if full or private else self.from_feed(view, shared)
        return html + self._own_parts(view, full=full)

    def _shared(self, view: RoomView, parts: Parts, *, full: bool) -> str:
        """The room's simulation as every phone in this language sees it."""
        stage = self.stage(view.control.stage)
        html = fragments.simulation_parts(view, parts, ("status", "metrics", "diagram"), full=full)
        return html + fragments.goal_part(view, stage, parts, full=full)

    def _own_parts(self, view: RoomView, *, full: bool) -> str:
        """This student's stage text, their poll, and the banner."""
        control = view.control
        index = control.stage if control.locked else self.my_stage
        stage = self.stage(index)
        poll_stage = self.stage(control.stage)
        mine = self.mine.get((control.poll.stage, control.poll.round))
        if index not in self.stage_texts:  # the pinned plan's texts never change
            self.stage_texts[index] = fragments.stage_context(
                stage, self.lang, len(self.room.stages)
            )
        context = {
            **self.stage_texts[index],
            "locked": control.locked,
            "room_stage": control.stage,
            "poll": fragments.poll_context(view, poll_stage, self.lang, mine=mine),
            "trying": self.copy is not None,
            "ended": control.ended,
        }
        if full:
            self.parts.forget()
        names = [
            name
            for name in ("student-stage", "student-poll", "student-banner")
            if self.parts.changed(name, repr(_key(name, context)))
        ]
        if not names:
            return ""
        with translation.override(self.lang):
            return fragments.render(names, context)

    # --- their own copy ----------------------------------------------------------------

    async def _start_copy(self, view: RoomView) -> str:
        await self._stop_copy()
        stage = self.stage(view.control.stage)
        self.copy_trial = view.control.trial
        self.copy_stage = stage
        self.copy = RoomExperiment(stage.data, topology=view.control.topology)
        self.copy_renderer = Renderer(offered=stage.offered_controls)
        self.copy_parts = Parts()
        self.reported: tuple[object, ...] | None = None
        self.reported_at = float("-inf")
        self.ticker = asyncio.create_task(self._tick())
        return self._copy_parts(full=True)

    async def _stop_copy(self) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.ticker
        self.ticker, self.copy = None, None
        self.host.stopped()

    def _copy_parts(self, *, full: bool) -> str:
        copy = self.copy
        assert copy is not None
        with translation.override(self.lang):
            html = self.copy_renderer.render(
                copy.session.snapshot(), copy.session.status, full=full
            )
            context = lesson.lesson_context(copy, self.copy_stage, self.lang, done=False)
            key = lesson.lesson_key(context)
            parts = []
            if self.copy_parts.changed("lesson", key) or full:
                parts += ["lesson", "verdict", "goal"]
            elif copy.phase == Phase.RUNNING:
                parts.append("goal")
            return html + lesson.render(parts, context)

    async def _tick(self) -> None:
        tick = settings.CLASSROOM_TICK_SECONDS
        while True:
            started = self.clock()
            with self.host.guard("tick"):
                async with self.copy_lock:
                    copy = self.copy
                    assert copy is not None
                    running = copy.session.running  # its share of the CPU, as a sandbox's
                    copy.session.budget = self.host.budget(running=running, tick=tick)
                    html = await step_where_cheapest(
                        copy.session,
                        tick,
                        self._step,
                        inline_up_to=settings.SANDBOX_INLINE_STEP_SECONDS,
                    )
                if html:
                    await self.send(text_data=html)
                await self._report()
            await self.wait(max(0.0, tick - (self.clock() - started)))

    def _step(self, wall_dt: float) -> str:
        copy = self.copy
        assert copy is not None
        snapshot = copy.session.step(wall_dt)
        copy.observe(snapshot)
        return self._copy_parts(full=False)

    async def _report(self) -> None:
        """Tell the board how the copy does, when that changed (at most once a second)."""
        copy = self.copy
        if copy is None or self.clock() - self.reported_at < REPORT_SECONDS:
            return
        snapshot = copy.session.snapshot()
        latency = snapshot.latency
        result = {
            "number": self.number,
            "phase": copy.phase.value,
            "met": None if copy.phase != Phase.DONE else copy.met,
            "cost": snapshot.cost_per_month,
            "p99": round(latency.p99_ms) if latency else None,
            "runs": copy.runs,
        }
        key = (result["phase"], result["met"], round(result["cost"]), result["p99"])
        if key == self.reported:
            return
        self.reported, self.reported_at = key, self.clock()
        design = dump_topology(copy.session.sim.current_topology())
        await database_sync_to_async(services.participant_record_result)(
            participant_id=self.participant_id, result=result, design=design
        )
        if copy.met:  # their own copy met the goal: the stage is done, as in self-study
            assert self.participant_id is not None
            await database_sync_to_async(services.progress_credit)(
                room_id=self.room.id,
                stage=self.copy_stage.order,
                participant_ids={self.participant_id},
            )
        await self.to_owner(
            {
                "type": "room.result",
                "participant": self.participant_id,
                "trial": self.copy_trial,
                "result": result,
            }
        )

    async def room_kick(self, message: dict[str, Any]) -> None:
        if message.get("participant") != self.participant_id or not message.get("removed"):
            return
        with translation.override(self.lang):
            await self.send(text_data=fragments.render(["student-banner"], {"removed": True}))
        await self.close(code=CLOSE_FORBIDDEN)


def _key(name: str, context: dict[str, Any]) -> object:
    if name == "student-stage":
        return (context["stage_index"], context["locked"], context["room_stage"])
    if name == "student-poll":
        return context["poll"]
    return (context["trying"], context["ended"], context["locked"])
