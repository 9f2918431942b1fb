"""What the owner does with an instructor's command: the room's own moves and the
simulation's actions, on the room's state (``RoomState``).

A refusal is a ``CommandError`` whose ``code`` the console says in its own language
(``classrooms.fragments.ROOM_ERRORS``, else the sandbox's ``error_text``). Moves that
must outlive the process (stage, lock, poll, copies, spotlight, end) are saved at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from channels.db import database_sync_to_async

from architect.sandbox.protocol import ProtocolError
from architect.sim import actions
from architect.sim.actions import Action
from architect.sim.commands import CommandError
from architect.sim.loader import dump_topology
from architect.sim.model.problems import Problem
from classrooms import estimates, protocol, selectors, services
from classrooms.checkpoint import RoomExperiment
from classrooms.models import Room
from classrooms.protocol import (
    EndRoom,
    GoToStage,
    Lock,
    PollClose,
    PollOpen,
    PollReveal,
    PollRevote,
    RoomCommand,
    Spotlight,
    TryStart,
    TryStop,
)
from classrooms.state import MAX_ROUNDS, Control, Poll

# The owner accepts, from the consumers, only what an instructor's console may send.
OWNER_ROOM_ACTIONS = (
    "room_stage",
    "room_lock",
    "poll_open",
    "poll_close",
    "poll_reveal",
    "poll_revote",
    "try_start",
    "try_stop",
    "spotlight",
    "room_end",
)


@dataclass
class RoomState:
    room: Room
    control: Control
    experiment: RoomExperiment
    board: dict[int, dict[str, Any]] = field(default_factory=dict)  # participant → result
    spotlight: dict[str, Any] | None = None
    roster: int = 0  # counts changes of who is here and what they did (for the dashboard)
    answered: list[int] = field(default_factory=list)  # per round of the current poll
    counts: list[list[int]] = field(default_factory=list)  # per round, per choice
    seated: int = 0

    @property
    def choices(self) -> int:
        return len((self.experiment.data.get("predict") or {}).get("choices") or [])

    @property
    def estimate(self) -> dict[str, Any] | None:
        """The stage's numeric question (``predict.estimate``), if it asks one."""
        return (self.experiment.data.get("predict") or {}).get("estimate") or None

    @property
    def asks(self) -> bool:
        return self.choices > 0 or self.estimate is not None

    def count_votes(self) -> None:
        """Recount the current stage's poll from the database (sync): per choice, or
        for an estimate per bin of ``estimates.bins`` (the numbers never leave here)."""
        poll = self.control.poll
        rounds = range(1, poll.round + 1) if poll.stage == self.control.stage else range(0)
        estimate = self.estimate
        if estimate is not None:
            self.counts = [
                estimates.tally(
                    estimate,
                    selectors.vote_values(room_id=self.room.id, stage=poll.stage, round=r),
                )
                for r in rounds
            ]
        else:
            self.counts = [
                selectors.vote_counts(
                    room_id=self.room.id, stage=poll.stage, round=r, choices=self.choices
                )
                for r in rounds
            ]
        self.answered = [sum(c) for c in self.counts]
        self.seated = selectors.seated_count(room_id=self.room.id)

    def poll_data(self) -> dict[str, Any]:
        """How many answered each round; what they answered only once revealed."""
        poll = self.control.poll
        return {
            "answered": self.answered,
            "counts": self.counts if poll.revealed else None,
            "seated": self.seated,
            "choices": self.choices,
        }

    def board_rows(self) -> list[dict[str, Any]]:
        rows = [{"participant": pid, **row} for pid, row in self.board.items()]
        return sorted(rows, key=lambda r: (r.get("met") is not True, r.get("cost") or 0))


def read_any(data: object) -> RoomCommand | Action:
    """A command as the consumers put it on the channel layer (plain data)."""
    if not isinstance(data, dict):
        raise CommandError("bad_message", "not a command")
    if data.get("action") in OWNER_ROOM_ACTIONS:
        try:
            return protocol.read_plain(data)
        except ProtocolError:
            raise CommandError("bad_message", "not a command") from None
    problems: list[Problem] = []
    command = actions.read(data, "command", problems, accepts=protocol.CONSOLE_ACTIONS)
    if command is None or problems:
        raise CommandError("bad_message", "not a command")
    return command


async def apply_room_command(state: RoomState, command: RoomCommand | Action) -> None:
    """Carry ``command`` out on the room (``CommandError`` when refused: nothing changed)."""
    before = state.control
    if isinstance(command, GoToStage):
        await _go_to(state, command.stage)
    elif isinstance(command, Lock):
        state.control = replace(before, locked=command.locked)
    elif isinstance(command, PollOpen | PollClose | PollReveal | PollRevote):
        state.control = replace(before, poll=_poll(state, command))
    elif isinstance(command, TryStart):
        topology = dump_topology(state.experiment.session.sim.current_topology())
        state.board, state.spotlight = {}, None
        state.control = replace(
            before, trying=True, trial=before.trial + 1, topology=topology, spotlight=None
        )
    elif isinstance(command, TryStop):
        state.control = replace(before, trying=False)
    elif isinstance(command, Spotlight):
        await _spotlight(state, command.participant)
    elif isinstance(command, EndRoom):
        state.control = replace(before, ended=True, trying=False)
    elif isinstance(
        command, protocol.RemoveParticipant | protocol.RenameParticipant | protocol.MyStage
    ):
        raise CommandError("bad_message", "not the owner's")
    else:
        state.experiment.apply(command)
        return
    if state.control != before:
        await database_sync_to_async(services.room_save_control)(
            room_id=state.room.id, control=state.control
        )


async def _go_to(state: RoomState, stage: int) -> None:
    if not 0 <= stage < len(state.room.stages):
        raise CommandError("no_stage", "no such stage", count=len(state.room.stages))
    room = state.room
    data = selectors.pinned_stage(room=room, index=stage).data
    state.experiment = RoomExperiment(data)
    state.experiment.session.paused = True  # the class predicts first; the instructor resumes
    state.control = state.control.on_stage(stage)
    state.board, state.spotlight = {}, None
    await database_sync_to_async(services.participants_move_all)(room_id=room.id, stage=stage)


def _poll(state: RoomState, command: PollOpen | PollClose | PollReveal | PollRevote) -> Poll:
    control = state.control
    poll = control.poll if control.poll.stage == control.stage else Poll(stage=control.stage)
    if not state.asks:
        raise CommandError("no_poll", "this stage asks no question")
    if isinstance(command, PollOpen):
        if poll.round:
            raise CommandError("poll_opened", "the poll was opened: ask for a revote")
        return Poll(stage=control.stage, round=1, open=True)
    if poll.round == 0:
        raise CommandError("poll_not_opened", "open the poll first")
    if isinstance(command, PollClose):
        return replace(poll, open=False)
    if isinstance(command, PollReveal):
        return replace(poll, open=False, revealed=True)
    if poll.round >= MAX_ROUNDS:
        raise CommandError("no_more_rounds", "one revote only", rounds=MAX_ROUNDS)
    return replace(poll, round=poll.round + 1, open=True, revealed=False)


async def _spotlight(state: RoomState, participant: int | None) -> None:
    if participant is None:
        state.spotlight = None
        state.control = replace(state.control, spotlight=None)
        return
    if participant not in state.board:
        raise CommandError("no_design", "this student has no design to show yet")
    try:
        number, design, result = await database_sync_to_async(selectors.design_of)(
            participant_id=participant, room_id=state.room.id
        )
    except Exception:
        raise CommandError("no_design", "this student has no design to show yet") from None
    if not design:
        raise CommandError("no_design", "this student has no design to show yet")
    state.spotlight = {"number": number, "topology": design, "result": result}
    state.control = replace(state.control, spotlight=participant)
