"""Updates per second each live sandbox gets, with hostile tabs running beside them.

Starts one daphne (as `make run` does, on a throwaway SQLite database), opens N ordinary
sandboxes (a single server at its default traffic, 5 updates a second when nothing
holds them back) and 4 hostile ones (a ten-node architecture at 19,999 req/s, the
most per-request traffic, at 5× speed), and counts the updates each ordinary socket
receives over a measured window. Run from the repository root:

    python bench/live_sessions.py                  # 50, 100 and 200 sessions, caps on
    python bench/live_sessions.py --sessions 100 --no-caps    # the same without budgets
    python bench/live_sessions.py --quick          # shorter windows

Simulation workers (#12, docs/deployment.md#simulation-workers): ``--workers N`` starts
each daphne with ``SIM_WORKERS=N``; ``--processes P`` starts P daphne processes and
spreads the sockets over them; ``--heavy H`` opens H heavy tabs (20 xl web servers at
19,999 req/s, 5×) and ``--clickers K`` K more sockets that each send a harmless command
once a second and time the answer (a click's p95 to the screen). Server CPU counts the
daphne processes and their workers.

Figures, not pass/fail: see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

ROOT = Path(os.environ.get("ARCHITECT_ROOT") or Path(__file__).resolve().parents[1])
HOSTILE = 4
HANG_S = 300  # a busy machine may take long to open a socket: only a hang is an error
HOSTILE_ACTIONS = (
    {"action": "separate_database"},
    {"action": "add_load_balancer"},
    *({"action": "add_web_server"},) * 4,
    {"action": "add_cache"},
    {"action": "add_replica"},
    {"action": "set_traffic", "rps": "19999"},
    {"action": "speed", "speed": "5"},
)


HEAVY_ACTIONS = (
    {"action": "separate_database"},
    {"action": "add_load_balancer"},
    *({"action": "add_web_server"},) * 19,
    *({"action": "resize", "node": f"web-{n}", "size": "xl"} for n in range(1, 21)),
    {"action": "set_traffic", "rps": "19999"},
    {"action": "speed", "speed": "5"},
)
CLICK = {"action": "speed", "speed": "1"}  # changes nothing; answered with the error area


class Counting(WebSocketClientProtocol):
    """Counts the messages (updates) it receives, from when ``counting`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.received = 0
        self.counting = False
        self.closed = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.clicked: float | None = None  # when the unanswered click was sent
        self.latencies: list[float] = []  # seconds from a click to its answer

    def onOpen(self) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def onMessage(self, payload: bytes, is_binary: bool) -> None:
        if self.counting:
            self.received += 1
        if self.clicked is not None and b'id="error"' in payload:
            self.latencies.append(time.monotonic() - self.clicked)
            self.clicked = None

    def click(self) -> None:
        self.clicked = time.monotonic()
        self.send_action(CLICK)

    def onClose(self, was_clean: bool, code: int | None, reason: str | None) -> None:
        self.closed = True  # refused (over a cap), or the server went away

    def send_action(self, fields: dict[str, str]) -> None:
        self.sendMessage(json.dumps({**fields, "HEADERS": {"HX-Request": "true"}}).encode())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pids: list[int]) -> list[int]:
    """The processes and their children (the simulation workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent in pids:
            children.append(int(stat.parent.name))
    return [*pids, *children]


def family_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in family(pids):
        with contextlib.suppress(OSError, ValueError, IndexError):  # a worker that ended
            total += cpu_seconds(pid)
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, database: Path, caps: bool, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SANDBOX_MAX_SIMULATIONS_PER_ADDRESS": "1000",  # every client is 127.0.0.1 here
        "SIM_WORKERS": str(workers),
    }
    env.pop("REDIS_URL", None)
    if not caps:  # budgets that never bind, and no process cap
        env["SANDBOX_PROCESS_CPU_SHARE"] = "1000"
        env["SANDBOX_MIN_CPU_SHARE"] = "1000"
        env["SANDBOX_MAX_SIMULATIONS"] = "1000"
    if not database.exists():
        manage = [sys.executable, "manage.py", "migrate", "--noinput"]
        subprocess.run(manage, cwd=ROOT, env=env, check=True, capture_output=True)
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    daphne += ["--websocket_connect_timeout", str(HANG_S)]
    process = subprocess.Popen(
        [*daphne, "architect.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(database.parent / f"daphne-{port}.log").open("wb"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    log = (database.parent / f"daphne-{port}.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"daphne did not start:\n{log}")


async def open_socket(port: int) -> Counting:
    loop = asyncio.get_running_loop()
    url = f"ws://127.0.0.1:{port}/ws/sandbox/"
    factory = WebSocketClientFactory(url, origin=f"http://127.0.0.1:{port}")
    factory.protocol = Counting
    # The client must cost less than the server it measures: no UTF-8 validation of
    # each update in Python (the server is ours), or one process reads 5 updates a
    # second from at most ~50 sockets.
    factory.setProtocolOptions(
        openHandshakeTimeout=HANG_S, closeHandshakeTimeout=5, utf8validateIncoming=False
    )
    _transport, protocol = await loop.create_connection(factory, "127.0.0.1", port)
    assert isinstance(protocol, Counting)
    await asyncio.wait_for(protocol.opened, HANG_S)
    return protocol


@dataclass(frozen=True)
class Setup:
    """One run: the sockets to open and the servers to start."""

    sessions: int
    hostile: int = HOSTILE
    heavy: int = 0
    clickers: int = 0
    caps: bool = True
    workers: int = 0
    processes: int = 1


async def dress(tabs: list[Counting], actions: tuple[dict[str, str], ...]) -> None:
    """Build each tab's architecture, one command every 0.1 s (within the rate limit)."""
    for tab in tabs:
        for fields in actions:
            tab.send_action(fields)
            await asyncio.sleep(0.1)


async def open_many(ports: list[int], count: int, first: int = 0) -> list[Counting]:
    """``count`` sockets, spread over the servers in turn."""
    tabs = []
    for n in range(count):
        tabs.append(await open_socket(ports[(first + n) % len(ports)]))
        await asyncio.sleep(0.01)
    return tabs


async def click_now_and_then(tabs: list[Counting], until: float) -> None:
    """Each clicker sends a command about once a second, spread over the second."""
    if not tabs:
        return  # (without clickers the loop below would spin and starve the sockets)
    while time.monotonic() < until:
        for tab in tabs:
            if tab.clicked is None and not tab.closed:
                tab.click()
            await asyncio.sleep(1.0 / max(1, len(tabs)))


async def measure(
    setup: Setup, servers: list[int], ports: list[int], warm_s: float, window_s: float
) -> dict[str, float]:
    hostile = await open_many(ports, setup.hostile)
    heavy = await open_many(ports, setup.heavy, first=setup.hostile)
    await dress(hostile, HOSTILE_ACTIONS)
    await dress(heavy, HEAVY_ACTIONS)
    ordinary = await open_many(ports, setup.sessions)
    clickers = await open_many(ports, setup.clickers)
    await asyncio.sleep(warm_s)
    for tab in (*ordinary, *hostile, *heavy, *clickers):
        tab.counting = True
    cpu_before, wall_before = family_cpu(servers), time.monotonic()
    clicking = asyncio.create_task(click_now_and_then(clickers, wall_before + window_s))
    await asyncio.sleep(window_s)
    cpu = family_cpu(servers) - cpu_before
    wall = time.monotonic() - wall_before
    await clicking
    refused = [tab for tab in ordinary if tab.closed]
    admitted = [tab for tab in ordinary if not tab.closed]
    rates = sorted(tab.received / window_s for tab in admitted) or [0.0]
    hostile_rates = [tab.received / window_s for tab in (*hostile, *heavy)] or [0.0]
    latencies = sorted(x for tab in clickers for x in tab.latencies) or [float("nan")]
    everyone = (*ordinary, *hostile, *heavy, *clickers)
    for tab in everyone:
        tab.sendClose()
    await asyncio.sleep(1.0)
    updates = sum(tab.received for tab in everyone)
    return {
        "sessions": setup.sessions,
        "refused": len(refused),
        "server_cpu": cpu / wall,  # cores the servers and their workers used
        "cpu_ms_per_update": 1000 * cpu / max(1, updates),
        "mean": statistics.fmean(rates),
        "p10": rates[len(rates) // 10],
        "min": rates[0],
        "hostile_mean": statistics.fmean(hostile_rates),
        "clicks": len(latencies) if setup.clickers else 0,
        "click_p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
    }


def run_one(setup: Setup, warm_s: float, window_s: float) -> dict[str, float]:
    ports = [free_port() for _ in range(setup.processes)]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        servers = []
        try:
            for port in ports:
                servers.append(start_server(port, database, setup.caps, setup.workers))
            pids = [server.pid for server in servers]
            return asyncio.run(measure(setup, pids, ports, warm_s, window_s))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)


def describe(setup: Setup, result: dict[str, float]) -> str:
    clicks = (
        f" a click's p95 {result['click_p95_ms']:.0f} ms ({result['clicks']:.0f} clicks);"
        if setup.clickers
        else ""
    )
    return (
        f"{setup.sessions:4d} sessions ({result['refused']} refused: over the cap)"
        f" + {setup.hostile} hostile + {setup.heavy} heavy,"
        f" {setup.processes} process(es) x {setup.workers} worker(s),"
        f" caps {'on' if setup.caps else 'off'}:"
        f" {result['mean']:.2f} updates/s per session (slowest tenth {result['p10']:.2f},"
        f" slowest {result['min']:.2f}); hostile/heavy tabs {result['hostile_mean']:.2f}/s;"
        f"{clicks}"
        f" server CPU {result['server_cpu']:.2f} cores,"
        f" {result['cpu_ms_per_update']:.2f} ms per update;"
        f" load average before {result['load_before']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="*", default=[50, 100, 200])
    parser.add_argument("--no-caps", action="store_true", help="budgets that never bind")
    parser.add_argument("--quick", action="store_true", help="5 s warm-up, 10 s window")
    parser.add_argument("--hostile", type=int, default=HOSTILE, help="hostile tabs (4)")
    parser.add_argument("--heavy", type=int, default=0, help="heavy tabs (20 xl, 19,999/s, 5x)")
    parser.add_argument("--clickers", type=int, default=0, help="sockets timing a click")
    parser.add_argument("--workers", type=int, default=0, help="SIM_WORKERS per process")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warm_s, window_s = (5.0, 10.0) if args.quick else (10.0, 30.0)
    results = []
    load = os.getloadavg()[0]
    for sessions in args.sessions:
        setup = Setup(
            sessions,
            hostile=args.hostile,
            heavy=args.heavy,
            clickers=args.clickers,
            caps=not args.no_caps,
            workers=args.workers,
            processes=args.processes,
        )
        result = run_one(setup, warm_s, window_s)
        result["load_before"] = load
        results.append(result)
        load = os.getloadavg()[0]
        if not args.json:
            print(describe(setup, result), flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
