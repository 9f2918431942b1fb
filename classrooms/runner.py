"""The one owner of a room's live state: a ``RoomRunner`` in the process holding its lease.

It steps the room's shared simulation (a ``RoomExperiment``) off the event loop with a
bounded budget per tick, carries out the commands the instructors' consoles send to
the owner's group (``owner_group``), and publishes the room's state to every screen's
group (``viewers_group``) as one JSON text: the serialised ``Snapshot`` plus the room's
own state (``Control``, run, poll counts, board, spotlight). Each screen renders it in
its own language. Everything goes through the channel-layer API, so the screens may be
in other processes. The runner renews its lease (every fifth of it), saves a checkpoint
after every command and every few seconds (both at a random phase: rooms started together
do not save together) and stops when the room ends, when it loses the lease, or when
nobody has looked for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from architect.sandbox.live import step_where_cheapest
from architect.sim.commands import CommandError
from architect.sim.snapshot import Snapshot
from architect.sim.snapshot_data import snapshot_to_data
from classrooms import fanout, lease, selectors, services
from classrooms.checkpoint import RoomExperiment
from classrooms.fragments import RoomView
from classrooms.models import Room
from classrooms.room_commands import RoomState, apply_room_command, read_any
from classrooms.state import Control, goal_status_data

logger = logging.getLogger(__name__)
RENEWALS = 5  # the lease is renewed this many times in its length: a late tick or two is fine


def owner_group(room_id: int) -> str:
    return f"room.{room_id}.owner"


class RoomRunner:
    # Seams for tests: the clock, the wait between ticks, the lease loop's wait, the phase.
    clock: Callable[[], float] = staticmethod(time.monotonic)
    wait: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)
    lease_wait: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)
    phase: Callable[[], float] = staticmethod(random.random)

    def __init__(self, room_id: int, *, process: str = lease.PROCESS) -> None:
        self.room_id = room_id
        self.process = process
        self.layer = get_channel_layer()
        self.lock = asyncio.Lock()
        # Sequence numbers go on rising across owners: screens (and each process's shared
        # ``Feed``) draw only what is newer than what they saw, so a runner that takes a
        # room over starts above its predecessor's: at the wall clock in microseconds
        # (an owner publishes far fewer than a million messages a second).
        self.seq = time.time_ns() // 1000
        self.dirty = True
        self.finished = False  # a run ended in the last step (``_credit``)
        self.votes_dirty = True
        self.tasks: list[asyncio.Task[None]] = []
        self.stopped = False
        self.channel = ""
        self.latest: Snapshot | None = None

    @property
    def alive(self) -> bool:
        return not self.stopped and bool(self.tasks)

    # --- start and stop ------------------------------------------------------------

    async def start(self) -> bool:
        """Take the lease and the room's last checkpoint; False when another owner holds it."""
        # The layer's own prefix: channels_redis reads all of a process's channels from
        # one stream per prefix under one lock, so a second prefix ("room-owner.") made
        # the owner's reads (blocking up to 5 s when idle) starve its screens' and back.
        self.channel = await self.layer.new_channel()
        previous = await database_sync_to_async(self._lease_channel)()
        taken = await database_sync_to_async(lease.acquire)(
            room_id=self.room_id,
            owner=self.process,
            channel=self.channel,
            seconds=settings.CLASSROOM_LEASE_SECONDS,
        )
        if not taken:
            return False
        self.room_state = await database_sync_to_async(self._load)()
        if previous and previous != self.channel:  # a dead owner's channel gets no more
            await self.layer.group_discard(owner_group(self.room_id), previous)
        await self.layer.group_add(owner_group(self.room_id), self.channel)
        self.seen_at = self.clock()
        self.tasks = [
            asyncio.create_task(self._ticks()),
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._keep_lease()),
        ]
        return True

    def _lease_channel(self) -> str:
        row = Room.objects.filter(id=self.room_id).values_list("lease_channel", flat=True)
        return next(iter(row), "")

    def _load(self) -> RoomState:
        room = Room.objects.get(id=self.room_id)
        control = Control.from_data(room.control)
        state = RoomState(room=room, control=control, experiment=self._fresh(room, control.stage))
        saved = room.checkpoint or {}
        if saved.get("stage") == control.stage and isinstance(saved.get("experiment"), dict):
            try:
                state.experiment.restore(saved["experiment"])
            except Exception:  # a checkpoint from another version: the stage afresh
                logger.warning("room %s: checkpoint not restored", room.code, exc_info=True)
                state.experiment = self._fresh(room, control.stage)
            state.board = {int(k): v for k, v in dict(saved.get("board") or {}).items()}
        return state

    @staticmethod
    def _fresh(room: Room, stage: int) -> RoomExperiment:
        return RoomExperiment(selectors.pinned_stage(room=room, index=stage).data)

    async def stop(self, *, release: bool = True) -> None:
        """Save, give the lease up (unless lost) and end the tasks (from any task)."""
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(Exception):
            await self._checkpoint()
        if release:
            await database_sync_to_async(lease.release)(room_id=self.room_id, owner=self.process)
        await self.layer.group_discard(owner_group(self.room_id), self.channel)
        current = asyncio.current_task()
        for task in self.tasks:
            if task is not current:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # --- the tick loop ---------------------------------------------------------------

    async def _ticks(self) -> None:
        tick = settings.CLASSROOM_TICK_SECONDS
        every_save = max(1, round(settings.CLASSROOM_CHECKPOINT_SECONDS / tick))
        save_at = int(self.phase() * every_save)
        count = 0
        while not self.stopped:
            started = self.clock()
            try:
                await self._tick(tick)
                if count % every_save == save_at:
                    await self._checkpoint()
            except Exception:
                logger.exception("room %s: tick failed", self.room_id)
            count += 1
            await self.wait(max(0.0, tick - (self.clock() - started)))

    async def _tick(self, tick: float) -> None:
        async with self.lock:
            changed = await step_where_cheapest(
                self.room_state.experiment.session,
                tick,
                self._step,
                inline_up_to=settings.SANDBOX_INLINE_STEP_SECONDS,
            )
        if self.finished:
            await self._credit()
        if changed or self.dirty:
            await self.publish()

    async def _credit(self) -> None:
        """A run just ended: when it met the goal, everyone signed in here has the stage
        done in their progress."""
        self.finished = False
        if self.room_state.experiment.met:
            await database_sync_to_async(services.progress_credit)(
                room_id=self.room_id, stage=self.room_state.control.stage
            )

    def _step(self, wall_dt: float) -> bool:
        """Advance ``wall_dt × speed`` simulated seconds in pieces of ``wall_dt``, within
        the step budget (a room too heavy for it falls behind real time); True when the
        snapshot changed."""
        experiment = self.room_state.experiment
        session = experiment.session
        if session.paused or wall_dt <= 0:
            return self.latest is None
        deadline = self.clock() + settings.CLASSROOM_STEP_BUDGET_SECONDS
        for _piece in range(session.speed):
            self.latest = experiment.session.step(wall_dt / session.speed)
            if experiment.observe(self.latest):
                self.dirty = self.finished = True  # the run is over
                break
            if self.clock() > deadline:
                break
        return True

    async def _keep_lease(self) -> None:
        """Renew the lease every fifth of it, in a task of its own: a slow tick (a heavy
        step, many screens to send to) must not let the lease run out."""
        period = settings.CLASSROOM_LEASE_SECONDS / RENEWALS
        await self.lease_wait(self.phase() * period)
        while not self.stopped:
            started = time.monotonic()
            try:
                if not await self._renew():
                    return
            except Exception:
                logger.exception("room %s: lease renewal failed", self.room_id)
            await self.lease_wait(max(0.0, period - (time.monotonic() - started)))

    async def _renew(self) -> bool:
        """Renew the lease (False: lost, the runner stops); stop when nobody is here."""
        held = await database_sync_to_async(lease.acquire)(
            room_id=self.room_id,
            owner=self.process,
            channel=self.channel,
            seconds=settings.CLASSROOM_LEASE_SECONDS,
        )
        if not held:
            logger.warning("room %s: lease lost, stopping", self.room_id)
            await self.stop(release=False)
            return False
        if fanout.screens(self.room_id) or await database_sync_to_async(selectors.anyone_here)(
            room_id=self.room_id
        ):  # a screen here is enough: the database is asked only when none is
            self.seen_at = self.clock()
        elif self.clock() - self.seen_at > settings.CLASSROOM_IDLE_SECONDS:
            await self.stop()
            return False
        return True

    async def _checkpoint(self) -> None:
        state = self.room_state
        async with self.lock:
            data = {
                "stage": state.control.stage,
                "experiment": state.experiment.dump(),
                "board": {str(k): v for k, v in state.board.items()},
            }
        await database_sync_to_async(services.room_save_checkpoint)(
            room_id=self.room_id, checkpoint=data
        )

    # --- messages to the owner -------------------------------------------------------

    async def _listen(self) -> None:
        while not self.stopped:
            message = await self.layer.receive(self.channel)
            try:
                await self.handle(message)
            except Exception:
                logger.exception("room %s: message %s failed", self.room_id, message.get("type"))

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        state = self.room_state
        if kind == "room.command":
            await self._command(message)
        elif kind == "room.hello":
            state, _view = await self._state_message(publishing=False)
            await self.layer.send(message["reply_to"], {**state, "private": True})
        elif kind == "room.vote":
            self.votes_dirty, self.dirty = True, True
            state.roster += 1
        elif kind == "room.roster":
            state.roster += 1
            self.dirty = True
        elif kind == "room.result":
            participant = int(message["participant"])
            if state.control.trying and message.get("trial") == state.control.trial:
                state.board[participant] = dict(message["result"])
                state.roster += 1
                self.dirty = True

    async def _command(self, message: dict[str, Any]) -> None:
        error: CommandError | None = None
        async with self.lock:
            try:
                command = read_any(message["command"])
                await apply_room_command(self.room_state, command)
            except CommandError as refused:
                error = refused
        reply = message.get("reply_to")
        if reply:
            problem = None if error is None else [error.code, error.message, error.params]
            await self.layer.send(reply, {"type": "room.done", "error": problem})
        if error is None:
            self.votes_dirty = True
            self.latest = None  # the architecture may have changed since the last step
            # saved before any screen sees it: a takeover resumes with what they saw
            await self._checkpoint()
            await self.publish()
            if self.room_state.control.ended:
                await self.stop()

    # --- what every screen gets ------------------------------------------------------

    async def publish(self) -> None:
        message, view = await self._state_message()
        await fanout.publish(self.room_id, message, view)

    async def _state_message(self, *, publishing: bool = True) -> tuple[dict[str, Any], RoomView]:
        """The state as one message, and as read; ``publishing`` (to every screen)
        settles what was dirty, a private answer to one screen does not."""
        if self.votes_dirty:
            self.votes_dirty = False
            await database_sync_to_async(self.room_state.count_votes)()
        if publishing:
            self.dirty = False
        self.seq += 1
        async with self.lock:
            payload = self._payload()
            text = json.dumps(payload, separators=(",", ":"))
            assert self.latest is not None
            view = RoomView.remember(self.room_id, self.seq, text, self.latest, payload)
        return {"type": "room.state", "seq": self.seq, "text": text}, view

    def _payload(self) -> dict[str, Any]:
        state = self.room_state
        experiment = state.experiment
        session = experiment.session
        snapshot = self.latest if self.latest is not None else session.snapshot()
        self.latest = snapshot
        return {
            "seq": self.seq,
            "snapshot": snapshot_to_data(snapshot),
            "status": {"paused": session.paused, "speed": session.speed, "ratio": session.ratio},
            "control": state.control.as_data(),
            "run": {
                "phase": experiment.phase.value,
                "runs": experiment.runs,
                "duration_s": experiment.duration_s,
                "from_s": experiment.tracker.from_s if experiment.tracker else None,
                "goal": goal_status_data(experiment.result),
            },
            "poll": state.poll_data(),
            "board": state.board_rows(),
            "spotlight": state.spotlight,
            "roster": state.roster,
        }


# --- which runner serves which room, in this process -----------------------------------

_runners: dict[int, RoomRunner] = {}
_starting: dict[int, asyncio.Lock] = {}


async def ensure(room_id: int) -> RoomRunner | None:
    """The room's runner if this process owns it; starts one (from the last checkpoint)
    when no process holds the room's lease. None when another process owns it."""
    async with _starting.setdefault(room_id, asyncio.Lock()):
        runner = _runners.get(room_id)
        if runner is not None and runner.alive:
            return runner
        if runner is not None:  # stopped: its lease is free or someone else's
            _runners.pop(room_id, None)
        runner = RoomRunner(room_id)
        if not await runner.start():
            return None
        _runners[room_id] = runner
        return runner


async def stop_all() -> None:
    """Stop every runner of this process (tests; a process shutting down)."""
    for runner in list(_runners.values()):
        await runner.stop()
    _runners.clear()
    _starting.clear()


def running(room_id: int) -> RoomRunner | None:
    runner = _runners.get(room_id)
    return runner if runner is not None and runner.alive else None
