"""Updates per second each live sandbox gets, with hostile tabs running beside them.

Starts one daphne (as `make run` does, on a throwaway SQLite database), opens N ordinary
sandboxes (a single server at its default traffic, 5 updates a second when nothing
holds them back) and 4 hostile ones (a ten-node architecture at 19,999 req/s, the
most per-request traffic, at 5× speed), and counts the updates each ordinary socket
receives over a measured window. Run from the repository root:

    python bench/live_sessions.py                  # 50, 100 and 200 sessions, caps on
    python bench/live_sessions.py --sessions 100 --no-caps    # the same without budgets
    python bench/live_sessions.py --quick          # shorter windows

Figures, not pass/fail: see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
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


class Counting(WebSocketClientProtocol):
    """Counts the messages (updates) it receives, from when ``counting`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.received = 0
        self.counting = False
        self.closed = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def onOpen(self) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def onMessage(self, payload: bytes, is_binary: bool) -> None:
        if self.counting:
            self.received += 1

    def onClose(self, was_clean: bool, code: int | None, reason: str | None) -> None:
        self.closed = True  # refused (over a cap), or the server went away

    def send_action(self, fields: dict[str, str]) -> None:
        self.sendMessage(json.dumps({**fields, "HEADERS": {"HX-Request": "true"}}).encode())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, database: Path, caps: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SANDBOX_MAX_SIMULATIONS_PER_ADDRESS": "1000",  # every client is 127.0.0.1 here
    }
    env.pop("REDIS_URL", None)
    if not caps:  # budgets that never bind, and no process cap
        env["SANDBOX_PROCESS_CPU_SHARE"] = "1000"
        env["SANDBOX_MIN_CPU_SHARE"] = "1000"
        env["SANDBOX_MAX_SIMULATIONS"] = "1000"
    manage = [sys.executable, "manage.py", "migrate", "--noinput"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True, capture_output=True)
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    daphne += ["--websocket_connect_timeout", str(HANG_S)]
    process = subprocess.Popen(
        [*daphne, "architect.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(database.parent / "daphne.log").open("wb"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    log = (database.parent / "daphne.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"daphne did not start:\n{log}")


async def open_socket(port: int) -> Counting:
    loop = asyncio.get_running_loop()
    url = f"ws://127.0.0.1:{port}/ws/sandbox/"
    factory = WebSocketClientFactory(url, origin=f"http://127.0.0.1:{port}")
    factory.protocol = Counting
    factory.setProtocolOptions(openHandshakeTimeout=HANG_S, closeHandshakeTimeout=5)
    _transport, protocol = await loop.create_connection(factory, "127.0.0.1", port)
    assert isinstance(protocol, Counting)
    await asyncio.wait_for(protocol.opened, HANG_S)
    return protocol


async def measure(
    server: int, port: int, sessions: int, hostiles: int, warm_s: float, window_s: float
) -> dict[str, float]:
    hostile = [await open_socket(port) for _ in range(hostiles)]
    for tab in hostile:
        for fields in HOSTILE_ACTIONS:
            tab.send_action(fields)
            await asyncio.sleep(0.1)  # within the message rate limit
    ordinary = []
    for _ in range(sessions):
        ordinary.append(await open_socket(port))
        await asyncio.sleep(0.01)
    await asyncio.sleep(warm_s)
    for tab in (*ordinary, *hostile):
        tab.counting = True
    cpu_before, wall_before = cpu_seconds(server), time.monotonic()
    await asyncio.sleep(window_s)
    cpu = cpu_seconds(server) - cpu_before
    wall = time.monotonic() - wall_before
    refused = [tab for tab in ordinary if tab.closed]
    admitted = [tab for tab in ordinary if not tab.closed]
    rates = sorted(tab.received / window_s for tab in admitted) or [0.0]
    hostile_rates = [tab.received / window_s for tab in hostile] or [0.0]
    for tab in (*ordinary, *hostile):
        tab.sendClose()
    await asyncio.sleep(1.0)
    updates = sum(tab.received for tab in (*ordinary, *hostile))
    return {
        "sessions": sessions,
        "refused": len(refused),
        "server_cpu": cpu / wall,  # cores the server used
        "cpu_ms_per_update": 1000 * cpu / max(1, updates),
        "mean": statistics.fmean(rates),
        "p10": rates[len(rates) // 10],
        "min": rates[0],
        "hostile_mean": statistics.fmean(hostile_rates),
    }


def run_one(
    sessions: int, hostile: int, caps: bool, warm_s: float, window_s: float
) -> dict[str, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, Path(folder) / "bench.sqlite3", caps)
        try:
            return asyncio.run(measure(server.pid, port, sessions, hostile, warm_s, window_s))
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="*", default=[50, 100, 200])
    parser.add_argument("--no-caps", action="store_true", help="budgets that never bind")
    parser.add_argument("--quick", action="store_true", help="5 s warm-up, 10 s window")
    parser.add_argument("--hostile", type=int, default=HOSTILE, help="hostile tabs (4)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warm_s, window_s = (5.0, 10.0) if args.quick else (10.0, 30.0)
    results = []
    load = os.getloadavg()[0]
    for sessions in args.sessions:
        result = run_one(sessions, args.hostile, not args.no_caps, warm_s, window_s)
        result["load_before"] = load
        results.append(result)
        load = os.getloadavg()[0]
        if not args.json:
            print(
                f"{sessions:4d} sessions ({result['refused']} refused: over the cap)"
                f" + {args.hostile} hostile,"
                f" caps {'off' if args.no_caps else 'on'}:"
                f" {result['mean']:.2f} updates/s per session (slowest tenth {result['p10']:.2f},"
                f" slowest {result['min']:.2f}); hostile tabs {result['hostile_mean']:.2f}/s;"
                f" server CPU {result['server_cpu']:.2f} cores,"
                f" {result['cpu_ms_per_update']:.2f} ms per update;"
                f" load average before {result['load_before']:.1f}",
                flush=True,
            )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
