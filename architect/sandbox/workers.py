"""Live simulations stepped in worker processes, so a web process only routes, renders
and sends (``SIM_WORKERS``; 0 keeps every simulation in the web process).

``Pool`` starts ``SIM_WORKERS`` processes per web process (``architect.sandbox.worker``,
a pipe each) and gives a new session to the worker with the fewest. ``RemoteSession``
stands in for a ``LiveSession`` in the consumers: its commands and steps cross to the
worker as plain data and a ``Snapshot`` comes back, which the web process draws. Each
answer also carries the architecture when it changed, so the web process always holds
the session's last checkpoint (``keeping.session_state``): when a worker dies its
sessions open again on another one from that checkpoint and the request is made again.
A dead worker is replaced by a new process at the next session it would get.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.conf import settings

from architect.sandbox.live import LiveSession, LiveStatus
from architect.sandbox.worker import Opening, Reply
from architect.sim.commands import Command, CommandError, Control, PageHidden, PageShown
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.topology import Topology
from architect.sim.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]  # where `python -m architect...` is found
RETRIES = 2  # a request is made again on another worker at most this many times


class WorkerLost(RuntimeError):
    """The worker process went away before answering."""


class WorkerError(RuntimeError):
    """A request failed in the worker with an unexpected error (its repr is the message)."""


class Request(Future[Reply]):
    """A request's answer to come, and the moments it passed on its way (``trace``): sent
    to the worker, begun and answered there, settled by the reader thread."""

    timing: tuple[tuple[str, float], ...] = ()


class Worker:
    """One worker process (``python -m architect.sandbox.worker``, so nothing of the web
    process is imported again) and a socket pair to it; a reader thread settles answers."""

    def __init__(self, cpu_share: float, min_share: float) -> None:
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "architect.sandbox.worker", str(theirs.fileno())]
        self.process = subprocess.Popen(
            [*command, str(cpu_share), str(min_share)],
            pass_fds=(theirs.fileno(),),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._socket = ours  # shut down to end the worker (and wake the reader thread)
        self.connection = Connection(os.dup(ours.fileno()))
        self.sessions: set[int] = set()
        self.dead = False
        self._pending: dict[int, Request] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def request(self, op: str, sid: int, args: tuple[Any, ...]) -> Request:
        """Send a request; its answer (or ``WorkerLost``) settles the future."""
        future = Request()
        with self._lock:
            if self.dead:
                raise WorkerLost
            rid = next(self._ids)
            self._pending[rid] = future
            future.timing = (("to worker", time.monotonic()),)
            self._send((rid, op, sid, args))
        return future

    def notify(self, op: str, sid: int, args: tuple[Any, ...]) -> None:
        """Send a request that wants no answer (lost with the worker: the checkpoint has it)."""
        with self._lock:
            if not self.dead:
                self._send((None, op, sid, args))

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            self.connection.send(message)
        except (OSError, ValueError):
            self._lost()

    def _read(self) -> None:
        try:
            while True:
                rid, ok, payload, marks = self.connection.recv()
                with self._lock:
                    future = self._pending.pop(rid, None)
                if future is not None:
                    future.timing = (*future.timing, *marks, ("settled", time.monotonic()))
                    settle(future, ok, payload)
        except (EOFError, OSError):  # the worker died, or we closed its socket
            with self._lock:
                self._lost()
        except BaseException:  # anything else: logged by threading, and no waiter hangs
            with self._lock:
                self._lost()
            raise

    def _lost(self) -> None:
        """Called under the lock: every pending request fails with ``WorkerLost``."""
        self.dead = True
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if future.set_running_or_notify_cancel():
                future.set_exception(WorkerLost())

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # the worker's loop ends at its end
        self._socket.close()
        self._reader.join(timeout=5)
        self.connection.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def settle(future: Future[Reply], ok: bool, payload: Any) -> None:
    """Give the future its answer, unless its waiter gave up (a closed socket's last tick
    was cancelled: the answer is not needed)."""
    if not future.set_running_or_notify_cancel():
        return
    if ok:
        future.set_result(payload)
        return
    kind, args = payload
    if kind == "command":
        code, message, params = args
        future.set_exception(CommandError(code, message, **params))
    elif kind == "value":
        future.set_exception(ValueError(*args))
    else:
        future.set_exception(WorkerError(*args))


class Pool:
    """This web process's workers (started when first needed)."""

    def __init__(self, size: int, cpu_share: float, min_share: float) -> None:
        self.size = size
        self.cpu_share, self.min_share = cpu_share, min_share
        self.workers: list[Worker] = []
        self._lock = threading.Lock()

    def assign(self, sid: int) -> Worker:
        """The live worker with the fewest sessions (dead ones replaced first)."""
        with self._lock:
            self.workers = [w for w in self.workers if not w.dead] + [
                Worker(self.cpu_share, self.min_share)
                for _ in range(self.size - sum(1 for w in self.workers if not w.dead))
            ]
            worker = min(self.workers, key=lambda w: len(w.sessions))
            worker.sessions.add(sid)
            return worker

    def release(self, worker: Worker, sid: int) -> None:
        with self._lock:
            worker.sessions.discard(sid)

    def stop(self) -> None:
        with self._lock:
            workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop()


class Checkpoint:
    """The session's architecture as of its worker's last answer (``sim`` of a
    ``RemoteSession``: what ``keeping`` and ``Experiment.run`` read)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._topology: Topology | None = None

    def current_topology(self) -> Topology:
        if self._topology is None:
            self._topology = load_topology(self.data)
        return self._topology


class RemoteSession:
    """A ``LiveSession`` whose simulation lives in a worker process (see the module)."""

    _ids = itertools.count(1)

    def __init__(
        self,
        pool: Pool,
        first: Topology,
        seed: int = 1,
        *,
        after_apply: Callable[[Command | Control], None] | None = None,
    ) -> None:
        self.pool = pool
        self.id = next(self._ids)
        self._first = dump_topology(first)
        self._seed = seed
        self._after_apply = after_apply
        self._paused = self._hidden = False
        self._speed = 1
        self.budget: float | None = None  # the worker sets its own sessions' budgets
        self.cost: float | None = None
        self.sim = Checkpoint(self._first)
        self.resumed = 0  # how many times a worker died and the session opened elsewhere
        self.timing: tuple[tuple[str, float], ...] = ()  # the last request's way (``trace``)
        self.worker = pool.assign(self.id)
        self._accept(self.worker.request("open", self.id, (Opening(self._first, seed),)).result())

    # The clock's controls: kept here too, so a resumed session keeps them.
    @property
    def paused(self) -> bool:
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        self._paused = value
        self.worker.notify("set", self.id, ("paused", value))

    @property
    def hidden(self) -> bool:
        return self._hidden

    @hidden.setter
    def hidden(self, value: bool) -> None:
        self._hidden = value
        self.worker.notify("set", self.id, ("hidden", value))

    @property
    def speed(self) -> int:
        return self._speed

    @speed.setter
    def speed(self, value: int) -> None:
        self._speed = value
        self.worker.notify("set", self.id, ("speed", value))

    @property
    def running(self) -> bool:
        return not self._paused and not self._hidden

    @property
    def status(self) -> LiveStatus:
        return self._status

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def state(self) -> dict[str, Any]:
        """The last checkpoint: what a new worker opens this session from."""
        return {
            "topology": self.sim.data,
            "speed": self._speed,
            "paused": self._paused,
            "hidden": self._hidden,
        }

    def apply(self, command: Command | Control) -> None:
        """Carry out a command in the worker (blocks: call it off the event loop)."""
        self._accept(self._call("apply", (command,)))
        self._paused, self._speed = self._status.paused, self._status.speed
        if isinstance(command, PageHidden | PageShown):
            self._hidden = isinstance(command, PageHidden)
        if self._after_apply is not None:
            self._after_apply(command)

    @property
    def seed(self) -> int:
        return self._seed

    def start_from(self, topology: Topology, seed: int | None = None) -> None:
        """Go on from ``topology`` at time 0 (a kept architecture, a shared design with its
        ``seed``), in the worker."""
        if seed is not None:
            self._seed = seed
        state = {**self.state(), "topology": dump_topology(topology)}
        self._accept(self._call("open", (Opening(self._first, self._seed, state),)))

    def step(self, wall_dt: float) -> Snapshot:
        """One step in the worker, waiting for it (blocks: call it off the event loop)."""
        self._accept(self._call("step", (wall_dt,)))
        return self._snapshot

    async def advance(self, wall_dt: float) -> Snapshot:
        """One step in the worker, awaited on the event loop."""
        for attempt in range(RETRIES + 1):
            try:
                future = self.worker.request("step", self.id, (wall_dt,))
                self._accept(await asyncio.wrap_future(future))
                self.timing = future.timing
                break
            except WorkerLost:
                if attempt == RETRIES:
                    raise
                await asyncio.to_thread(self._resume)
        return self._snapshot

    def close(self) -> None:
        """The worker forgets this session."""
        self.worker.notify("close", self.id, ())
        self.pool.release(self.worker, self.id)

    def _call(self, op: str, args: tuple[Any, ...]) -> Reply:
        for attempt in range(RETRIES + 1):
            try:
                request = self.worker.request(op, self.id, args)
                reply = request.result()
                self.timing = request.timing
                return reply
            except WorkerLost:
                if attempt == RETRIES:
                    raise
                self._resume()
        raise AssertionError("unreachable")

    def _resume(self) -> None:
        """Open this session on another worker from its last checkpoint."""
        self.pool.release(self.worker, self.id)
        self.worker = self.pool.assign(self.id)
        opening = Opening(self._first, self._seed, self.state())
        self._accept(self.worker.request("open", self.id, (opening,)).result())
        self.resumed += 1

    def _accept(self, reply: Reply) -> None:
        self._snapshot, self._status, self.cost = reply.snapshot, reply.status, reply.cost
        if reply.topology is not None:
            self.sim = Checkpoint(reply.topology)


_POOL: Pool | None = None


def pool(size: int, cpu_share: float, min_share: float) -> Pool:
    """This process's pool (one per process, started on first use, stopped at exit)."""
    global _POOL
    if _POOL is None:
        _POOL = Pool(size, cpu_share, min_share)
        atexit.register(shutdown)
    return _POOL


def shutdown() -> None:
    """Stop this process's workers (at exit; tests after each use)."""
    global _POOL
    if _POOL is not None:
        _POOL.stop()
        _POOL = None


Session = LiveSession | RemoteSession  # what a consumer steps: here or in a worker


def configured_pool() -> Pool | None:
    """This process's pool when ``SIM_WORKERS`` asks for workers, else None (in-process)."""
    if settings.SIM_WORKERS <= 0:
        return None
    return pool(settings.SIM_WORKERS, settings.SIM_WORKER_CPU_SHARE, settings.SANDBOX_MIN_CPU_SHARE)
