"""Cheap WebSocket clients for the live benchmarks, spread over processes.

A benchmark's clients share the machine with the servers they measure, so they must cost
little and must not be one GIL: ``run_clients`` gives each of ``processes`` forked
processes a share of the sockets (``Tab``s), each share read by one asyncio loop with a
counting protocol (``Counting``: it parses only the frames' headers, answers pings, and
keeps no payload; RFC 6455, unfragmented frames as daphne sends them). The window is the
same for every process (``time.monotonic`` is the machine's clock): the parent tells them
when to start counting and when to stop, and samples the servers' CPU (``probe``) at the
same two moments. Each process reports its own CPU over the window, so a run says whether
the clients, the servers or the machine was the limit (``limit``).
"""

from __future__ import annotations

import asyncio
import base64
import multiprocessing
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
HANG_S = 300  # a busy machine may take long to open a socket: only a hang is an error
ANSWER = b'id="error"'  # the part a command's answer always carries (the error area)
CLICK = {"action": "speed", "speed": "1"}  # changes nothing; answered with the error area
BOUND = 0.85  # a process using this much of a core is the limit
NAP_S = 0.01  # the parent's naps during the window (its wake-up delay shows a busy machine)
LATE_MS = 5.0  # a nap's p95 this late: processes wait for a core
OPEN_AT_ONCE = 8  # handshakes a client process has in flight (a busy server is slow to accept)


@dataclass(frozen=True)
class Tab:
    """One socket: its group (how results are told apart), where it goes, the commands
        sent once it is open (0.1 s apart, within the rate limit), and whether it clicks
        (sends ``CLICK`` about once a second during the window and times the answer). A room's
    console opens in a stage before its students', so it is the room's first screen."""

    group: str
    port: int
    path: str
    cookie: str = ""
    actions: tuple[dict[str, str], ...] = ()
    clicks: bool = False
    stage: int = 0  # every process opens its stage-0 tabs before any opens stage 1


@dataclass
class TabResult:
    group: str
    received: int  # messages in the window
    closed: bool  # refused (over a cap), or the server went away
    latencies: list[float] = field(default_factory=list)  # click → answer, seconds
    clicked_at: list[float] = field(default_factory=list)  # each click's moment (monotonic)


def frame(opcode: int, payload: bytes) -> bytes:
    """One masked frame (a client must mask; the key's value does not matter here)."""
    size = len(payload)
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 2**16:
        head += bytes([0x80 | 126]) + struct.pack("!H", size)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", size)
    mask = os.urandom(4)
    repeated = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        size, "big"
    )
    return head + mask + masked


def action_frame(fields: dict[str, str], sent: float | None = None) -> bytes:
    """A command as htmx sends it; ``sent``, the moment, in a header the server's trace
    reads (``architect.sandbox.trace``)."""
    import json

    headers = {"HX-Request": "true"} | ({} if sent is None else {"X-Sent": repr(sent)})
    return frame(TEXT, json.dumps({**fields, "HEADERS": headers}).encode())


class Counting(asyncio.Protocol):
    """Counts the data frames it receives while ``counting``; notes when a click's answer
    (a frame holding ``ANSWER``) arrives. Reads only the frames' headers."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.received = 0
        self.counting = False
        self.closed = False
        self.clicked: float | None = None
        self.latencies: list[float] = []
        self.clicked_at: list[float] = []
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._upgraded = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        host = f"127.0.0.1:{self.tab.port}"
        request = (
            f"GET {self.tab.path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://{host}\r\n"
            + (f"Cookie: {self.tab.cookie}\r\n" if self.tab.cookie else "")
            + "\r\n"
        )
        transport.write(request.encode())

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        if not self._upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buffer[: buffer.find(b"\r\n")]:
                self._close()
                return
            del buffer[: end + 4]
            self._upgraded = True
            if not self.opened.done():
                self.opened.set_result(None)
        self._frames(buffer)

    def _frames(self, buffer: bytearray) -> None:
        start = 0
        available = len(buffer)
        while available - start >= 2:
            opcode, size = buffer[start] & 0x0F, buffer[start + 1] & 0x7F
            head = 2
            if size == 126:
                if available - start < 4:
                    break
                size, head = struct.unpack_from("!H", buffer, start + 2)[0], 4
            elif size == 127:
                if available - start < 10:
                    break
                size, head = struct.unpack_from("!Q", buffer, start + 2)[0], 10
            end = start + head + size
            if end > available:
                break
            self._frame(opcode, buffer, start + head, end)
            start = end
        del buffer[:start]

    def _frame(self, opcode: int, buffer: bytearray, begin: int, end: int) -> None:
        if opcode == CLOSE:
            self._close()
        elif opcode == PING:
            self.send(frame(PONG, bytes(buffer[begin:end])))
        elif opcode != PONG:
            if self.counting:
                self.received += 1
            if self.clicked is not None and buffer.find(ANSWER, begin, end) >= 0:
                self.latencies.append(time.monotonic() - self.clicked)
                self.clicked_at.append(self.clicked)
                self.clicked = None

    def send(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def click(self) -> None:
        self.clicked = time.monotonic()
        self.send(action_frame(CLICK, self.clicked))

    def _close(self) -> None:
        self.closed = True
        if not self.opened.done():
            self.opened.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.opened.done():
            self.opened.set_result(None)


async def open_tab(tab: Tab) -> Counting:
    loop = asyncio.get_running_loop()
    try:
        _transport, protocol = await loop.create_connection(
            lambda: Counting(tab), "127.0.0.1", tab.port
        )
    except OSError:
        protocol = Counting(tab)
        protocol.closed = True
        return protocol
    await asyncio.wait_for(protocol.opened, HANG_S)
    return protocol


async def dress(socket: Counting) -> None:
    for fields in socket.tab.actions:
        socket.send(action_frame(fields))
        await asyncio.sleep(0.1)


async def click_now_and_then(sockets: list[Counting], until: float) -> None:
    """Each clicker sends a command about once a second, spread over the second."""
    while sockets and time.monotonic() < until:
        for socket in sockets:
            if socket.clicked is None and not socket.closed:
                socket.click()
            await asyncio.sleep(1.0 / len(sockets))


async def _sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


async def _share(conn: Connection, tabs: list[Tab], stages: list[int]) -> None:
    """One client process: open its sockets (in order), dress them, say ready; count over
    the window the parent names; report; close when told."""
    loop = asyncio.get_running_loop()
    sockets = []
    for stage in stages:
        if stage != stages[0]:  # the others have opened the stage before
            await loop.run_in_executor(None, conn.recv)
        staged = [tab for tab in tabs if tab.stage == stage]
        for first in range(0, len(staged), OPEN_AT_ONCE):
            batch = staged[first : first + OPEN_AT_ONCE]
            sockets += await asyncio.gather(*(open_tab(tab) for tab in batch))
        conn.send("opened")
    await asyncio.gather(*(dress(s) for s in sockets if s.tab.actions))
    conn.send("ready")
    start, end = await loop.run_in_executor(None, conn.recv)
    await _sleep_until(start)
    cpu = time.process_time()
    for socket in sockets:
        socket.counting = True
    clicking = asyncio.create_task(click_now_and_then([s for s in sockets if s.tab.clicks], end))
    await _sleep_until(end)
    for socket in sockets:
        socket.counting = False
    cpu = time.process_time() - cpu
    await clicking
    results = [
        TabResult(s.tab.group, s.received, s.closed, s.latencies, s.clicked_at) for s in sockets
    ]
    conn.send((results, cpu))
    await loop.run_in_executor(None, conn.recv)  # "close"
    for socket in sockets:
        socket.send(frame(CLOSE, struct.pack("!H", 1000)))
    await asyncio.sleep(0.5)
    for socket in sockets:
        if socket.transport is not None:
            socket.transport.close()


def _client(conn: Connection, tabs: list[Tab], stages: list[int]) -> None:
    asyncio.run(_share(conn, tabs, stages))


@dataclass
class Clients:
    """What every client process saw over the window, merged."""

    tabs: list[TabResult]
    cpu: list[float]  # each client process's cores over the window
    window_s: float
    probes: tuple[Any, Any]  # ``probe()`` at the window's start and end
    delays: list[float]  # how late each of the parent's short sleeps woke, seconds, sorted

    @property
    def delay_p95_ms(self) -> float:
        return 1000 * self.delays[int(0.95 * (len(self.delays) - 1))] if self.delays else 0.0

    def group(self, *names: str) -> list[TabResult]:
        return [t for t in self.tabs if t.group in names]

    def rates(self, *names: str) -> list[float]:
        """Updates a second of the group's sockets still open at the end, slowest first."""
        return sorted(t.received / self.window_s for t in self.group(*names) if not t.closed)


def run_clients(
    tabs: list[Tab],
    processes: int,
    warm_s: float,
    window_s: float,
    probe: Callable[[], Any] = lambda: None,
) -> Clients:
    """Open ``tabs`` from ``processes`` client processes (tab n in process n mod P, so
    every group is spread over them; each opens its share in the given order), wait
    ``warm_s`` once all are open, count over ``window_s``; ``probe`` is called at the
    window's start and end (the servers' CPU)."""
    context = multiprocessing.get_context("fork")
    shares = [tabs[n::processes] for n in range(processes)]
    stages = sorted({tab.stage for tab in tabs} | {0})
    pipes, children = [], []
    for share in shares:
        ours, theirs = context.Pipe()
        child = context.Process(target=_client, args=(theirs, share, stages), daemon=True)
        child.start()
        pipes.append(ours)
        children.append(child)
    try:
        for stage in stages:
            if stage != stages[0]:
                for pipe in pipes:
                    pipe.send("open")
            for pipe in pipes:
                if not pipe.poll(HANG_S * 2) or pipe.recv() != "opened":
                    raise RuntimeError("a client process did not open its sockets")
        for pipe in pipes:
            if not pipe.poll(HANG_S) or pipe.recv() != "ready":
                raise RuntimeError("a client process did not dress its sockets")
        start = time.monotonic() + warm_s
        for pipe in pipes:
            pipe.send((start, start + window_s))
        time.sleep(max(0.0, start - time.monotonic()))
        first = probe()
        delays = wake_delays(start + window_s)
        last = probe()
        results, cpu = [], []
        for pipe in pipes:
            if not pipe.poll(60):
                raise RuntimeError("a client process did not report")
            share_results, share_cpu = pipe.recv()
            results += share_results
            cpu.append(share_cpu / window_s)
        for pipe in pipes:
            pipe.send("close")
        return Clients(results, cpu, window_s, (first, last), delays)
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.kill()


def wake_delays(until: float, nap_s: float = NAP_S) -> list[float]:
    """Sleep in short naps until ``until``; how late each woke (sorted). A machine whose
    cores are all taken, by anyone (other containers too, which its /proc/stat does not
    show), wakes a sleeper late."""
    delays = []
    while (now := time.monotonic()) < until:
        time.sleep(nap_s)
        delays.append(max(0.0, time.monotonic() - now - nap_s))
    return sorted(delays)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pids: list[int]) -> list[int]:
    """The processes' children (the simulation workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent in pids:
            found.append(int(stat.parent.name))
    return found


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy so far (/proc/stat: all but idle
    and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def limit(web: list[float], clients: list[float], machine: float, delay_p95_ms: float) -> str:
    """Which side held the run back, from the cores each used over the window: a client
    process or a web process near a whole core (one GIL each), or the machine (every core
    busy, or processes waiting for one: the parent's naps woke late); else nothing was
    CPU-bound (waits, caps or budgets)."""
    cores = os.cpu_count() or 1
    if clients and max(clients) >= BOUND:
        return "client (a client process used a whole core: add --client-processes)"
    if web and max(web) >= BOUND:
        return "server (a web process used a whole core)"
    if machine >= BOUND * cores:
        return f"machine (all {cores} cores busy, other processes included)"
    if delay_p95_ms >= LATE_MS:
        return (
            f"machine (processes wait for a core: a 10 ms nap woke {delay_p95_ms:.0f} ms late, p95)"
        )
    return "none CPU-bound (waits, caps or budgets)"


def spread(count: int, ports: list[int], first: int = 0) -> list[int]:
    """The port of each of ``count`` sockets, the servers in turn (nginx's round robin)."""
    return [ports[(first + n) % len(ports)] for n in range(count)]
