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
"""

from __future__ import annotations

import sys
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
        return self._reply(sid, session, session.step(wall_dt))

    def _reply(self, sid: int, session: LiveSession, snapshot: Snapshot) -> Reply:
        topology = dump_topology(session.sim.current_topology())
        changed = topology != self.sent.get(sid)
        self.sent[sid] = topology
        return Reply(snapshot, session.status, topology if changed else None, session.cost)


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


def serve(connection: Any, cpu_share: float, min_share: float) -> None:
    """A worker process's loop: until the web process goes away (its end closes)."""
    host = Host(cpu_share, min_share)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        response = answer(host, request)
        if response is not None:
            connection.send(response)


if __name__ == "__main__":  # python -m architect.sandbox.worker FD CPU_SHARE MIN_SHARE
    # Through the module's own name, so what it sends pickles as architect.sandbox.worker's.
    from architect.sandbox import worker

    worker.serve(Connection(int(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3]))
