"""A simulation worker process: it owns live sessions and steps them for web processes.

Pure Python (no Django, no Channels): ``serve`` runs in a process the web process starts
(``architect.sandbox.workers``) and reads requests from one end of a pipe, in order, one
at a time. Each request is a tuple ``(request_id, op, session_id, args)`` of plain,
picklable values (commands and ``Topology``-format data in, ``Snapshot``s out: frozen
dataclasses of numbers, strings and enums, the contract of ``architect.sim``); a request
with ``request_id`` None wants no answer. The answer is ``(request_id, True, Reply)``, or
``(request_id, False, (kind, args))`` for an error the web process raises again
(``CommandError``, ``ValueError``, any other as ``WorkerError``), so a bug in one
simulation never ends the worker and its other sessions.

Each worker gives its running sessions equal parts of ``cpu_share`` (CPU seconds per
wall second), so a heavy simulation runs slower than real time in its own worker and
takes nothing from the others' workers (``LiveSession.budget``).

A click must not wait behind the steps of every other session of the worker: the worker
drains its pipe into an ``Inbox`` and carries out a session's command before any step
that is waiting (each session's own requests keep their order), and a step whose cost is
not known (a new session, or one just changed: the cost measured before may be a hundred
times too low) first advances a short probe, so that the rest of it is held to the budget
at the cost just measured: no step holds the worker much longer than its budget, and no
budget is over ``STEP_CAP_S`` while other sessions wait.
Each answer carries the moments the worker began and ended it (``trace``).
"""

from __future__ import annotations

import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from architect.sandbox.live import LiveSession, LiveStatus
from architect.sim.commands import CommandError
from architect.sim.loader import dump_topology, load_topology
from architect.sim.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Reply:
    """What a web process gets back after each request: enough to draw the page and to
    resume the session elsewhere (``topology``: the architecture now, in the topology
    format, None when it did not change since the last reply)."""

    snapshot: Snapshot
    status: LiveStatus
    topology: dict[str, Any] | None
    cost: float | None


@dataclass(frozen=True, slots=True)
class Opening:
    """How to build a session: the architecture ``Reset`` goes back to, the seed, and
    the state to go on from (``architect.sandbox.keeping.session_state`` plus
    ``hidden``), if any."""

    first: dict[str, Any]
    seed: int
    state: dict[str, Any] | None = None


class Host:
    """The sessions of one worker, by id, and what each last sent of its architecture."""

    def __init__(self, cpu_share: float, min_share: float) -> None:
        self.cpu_share = cpu_share
        self.min_share = min_share
        self.sessions: dict[int, LiveSession] = {}
        self.sent: dict[int, dict[str, Any]] = {}

    def handle(self, op: str, sid: int, args: tuple[Any, ...]) -> Reply | None:
        """Carry out one request; a ``Reply`` for those that ask for one."""
        if op == "open":
            self.sessions[sid] = opened(args[0])
            self.sent.pop(sid, None)
        elif op == "close":
            self.sessions.pop(sid, None)
            self.sent.pop(sid, None)
            return None
        elif op == "set":
            setattr(self.sessions[sid], args[0], args[1])
            return None
        elif op == "apply":
            self.sessions[sid].apply(args[0])
        elif op == "step":
            return self._step(sid, float(args[0]))
        else:
            raise ValueError(f"unknown request {op!r}")
        session = self.sessions[sid]
        return self._reply(sid, session, session.snapshot())

    def _step(self, sid: int, wall_dt: float) -> Reply:
        session = self.sessions[sid]
        running = sum(1 for s in self.sessions.values() if s.running)
        share = max(self.min_share, self.cpu_share / max(1, running))
        session.budget = share * wall_dt
        if running > 1:  # others wait for this worker meanwhile: no step holds it long
            session.budget = min(session.budget, STEP_CAP_S)
        return self._reply(sid, session, stepped(session, wall_dt))

    def _reply(self, sid: int, session: LiveSession, snapshot: Snapshot) -> Reply:
        topology = dump_topology(session.sim.current_topology())
        changed = topology != self.sent.get(sid)
        self.sent[sid] = topology
        return Reply(snapshot, session.status, topology if changed else None, session.cost)


# The most CPU one step may take while other sessions run on the worker (they, and their
# clicks, wait for it): a heavy session with few neighbours runs behind on this, not on
# its equal share (with one neighbour that share would be 90 ms a tick).
STEP_CAP_S = 0.02
# The probe a step of unknown cost begins with: this share of the step's wall time, and at
# most this much simulated time (the heavy sandbox's costs about 0.5 CPU ms per simulated
# ms here: bench/README.md, "A click beside a heavy simulation").
PROBE_SHARE = 0.05
PROBE_MAX_S = 0.01


def stepped(session: LiveSession, wall_dt: float) -> Snapshot:
    """``session.step(wall_dt)``, held to its budget even when its cost is not known: a
    short probe first measures it (``LiveSession.expected_cpu`` is None until measured),
    and its cost is what the probe measured (a change may make it 500 times dearer)."""
    budget = session.budget
    if budget is None or session.expected_cpu(wall_dt) is not None:
        return session.step(wall_dt)
    probe = min(PROBE_SHARE * wall_dt, PROBE_MAX_S / session.speed)
    started, before = session.sim.env.now, session.cpu_clock()
    session.step(probe)
    spent, advanced = session.cpu_clock() - before, session.sim.env.now - started
    if advanced > 0:  # the changed simulation's own cost, not averaged with the old one
        session.cost = spent / advanced
    session.budget = max(0.0, budget - spent)
    try:
        return session.step(wall_dt - probe)
    finally:
        session.budget = budget


class Inbox:
    """Requests taken from the pipe, not yet carried out: a session's command (or open,
    close, set) before any waiting step, each session's own requests in their order."""

    def __init__(self) -> None:
        self._waiting: deque[tuple[Any, ...]] = deque()
        self._others = 0  # how many of them are not steps (none: no need to look)

    def __len__(self) -> int:
        return len(self._waiting)

    def put(self, request: tuple[Any, ...]) -> None:
        self._waiting.append(request)
        self._others += request[1] != "step"

    def take(self) -> tuple[Any, ...]:
        """The first request that is not a step and has no earlier request of its
        session waiting; else the oldest."""
        earlier: set[int] = set()
        for index, request in enumerate(self._waiting if self._others else ()):
            _rid, op, sid, _args = request
            if op != "step" and sid not in earlier:
                del self._waiting[index]
                self._others -= 1
                return request
            earlier.add(sid)
        return self._waiting.popleft()  # a step: a command that is oldest is taken above


def opened(opening: Opening) -> LiveSession:
    """A session built as ``opening`` says."""
    first = load_topology(opening.first)
    session = LiveSession(lambda: first, opening.seed)
    state = opening.state
    if state is not None:
        session.start_from(load_topology(state["topology"]))
        session.speed = int(state["speed"])
        session.paused = bool(state["paused"])
        session.hidden = bool(state.get("hidden", False))
    return session


def answer(host: Host, request: tuple[Any, ...]) -> tuple[Any, bool, Any] | None:
    """The answer to one request (None when it wants none); errors travel as data."""
    rid, op, sid, args = request
    try:
        reply = host.handle(op, sid, args)
    except CommandError as error:
        failure: tuple[str, Any] = ("command", (error.code, str(error), dict(error.params)))
        return None if rid is None else (rid, False, failure)
    except ValueError as error:
        return None if rid is None else (rid, False, ("value", (str(error),)))
    except Exception as error:  # a bug: the web process logs it; the worker goes on
        return None if rid is None else (rid, False, ("error", (repr(error),)))
    return None if rid is None else (rid, True, reply)


def serve(connection: Any, cpu_share: float, min_share: float, clock: Any = time.monotonic) -> None:
    """A worker process's loop: until the web process goes away (its end closes). Each
    answer is sent with the moments its work began and ended (``clock``)."""
    host = Host(cpu_share, min_share)
    inbox = Inbox()
    while True:
        try:
            if not inbox:
                inbox.put(connection.recv())
            while connection.poll():
                inbox.put(connection.recv())
        except (EOFError, OSError):
            return
        began = clock()
        response = answer(host, inbox.take())
        if response is not None:
            connection.send((*response, (("worker", began), ("answered", clock()))))


if __name__ == "__main__":  # python -m architect.sandbox.worker FD CPU_SHARE MIN_SHARE
    # Through the module's own name, so what it sends pickles as architect.sandbox.worker's.
    from architect.sandbox import worker

    worker.serve(Connection(int(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3]))
