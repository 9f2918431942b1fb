"""One classroom on one daphne: 60 students, a projector and the console as WebSockets.

Starts one daphne (as `make run` does, on a throwaway SQLite database holding the shipped
plan), starts a room on it, seats the students (half of them in Korean, so the room is
drawn in both languages) and opens every screen as an autobahn client. Then:

- over a measured window, with the room's simulation running at 1× and nobody acting:
  the server's CPU (from /proc, in cores) and the updates a second each screen receives;
- action → every screen: the console changes the room's speed (alternately 2× and 1×),
  and each screen's delay is timed from the command until it receives the update that
  shows the new speed; the p50/p95/max over every screen and trial.

Run from the repository root:

    python bench/classroom.py               # 60 students, 10 s warm-up, 30 s window, 20 actions
    python bench/classroom.py --quick       # 5 s warm-up, 10 s window, 5 actions
    python bench/classroom.py --students 120 --json

Figures, not pass/fail: see bench/README.md (goal: < 0.25 core, ≥ 4.5 updates/s each).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_sessions import cpu_seconds, free_port, start_server
from seating import seat_room

HANG_S = 300


class Screen(WebSocketClientProtocol):
    """Counts the messages it receives (from ``counting``) and notes when one first
    matches ``waiting_for``."""

    def __init__(self) -> None:
        super().__init__()
        self.received = 0
        self.counting = False
        self.closed = False
        self.waiting_for: re.Pattern[str] | None = None
        self.seen_at: float | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def onOpen(self) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def onMessage(self, payload: bytes, is_binary: bool) -> None:
        if self.counting:
            self.received += 1
        pattern = self.waiting_for
        if pattern is not None and self.seen_at is None:
            self.seen_at = time.monotonic() if pattern.search(payload.decode()) else None

    def onClose(self, was_clean: bool, code: int | None, reason: str | None) -> None:
        self.closed = True

    def send_action(self, fields: dict[str, str]) -> None:
        self.sendMessage(json.dumps({**fields, "HEADERS": {"HX-Request": "true"}}).encode())


async def open_screen(port: int, code: str, kind: str, key: str, lang: str) -> Screen:
    loop = asyncio.get_running_loop()
    url = f"ws://127.0.0.1:{port}/ws/classroom/{code}/{kind}/?lang={lang}"
    factory = WebSocketClientFactory(
        url, origin=f"http://127.0.0.1:{port}", headers={"Cookie": f"sessionid={key}"}
    )
    factory.protocol = Screen
    factory.setProtocolOptions(openHandshakeTimeout=HANG_S, closeHandshakeTimeout=5)
    _transport, protocol = await loop.create_connection(factory, "127.0.0.1", port)
    assert isinstance(protocol, Screen)
    await asyncio.wait_for(protocol.opened, HANG_S)
    return protocol


async def action_delays(console: Screen, screens: list[Screen], trials: int) -> list[float]:
    """Seconds from each speed change to each screen's update showing it."""
    delays: list[float] = []
    for trial in range(trials):
        speed = 2 if trial % 2 == 0 else 1
        shown = re.compile(rf"(speed|속도) {speed}×")
        for screen in screens:
            screen.waiting_for, screen.seen_at = shown, None
        sent = time.monotonic()
        console.send_action({"action": "speed", "speed": str(speed)})
        deadline = sent + 10
        while time.monotonic() < deadline and any(s.seen_at is None for s in screens):
            await asyncio.sleep(0.005)
        delays += [(s.seen_at or deadline) - sent for s in screens]
        for screen in screens:
            screen.waiting_for = None
        await asyncio.sleep(0.5)
    return sorted(delays)


async def measure(server: int, port: int, seats: dict[str, Any], times: dict[str, float],
                  ) -> dict[str, Any]:  # fmt: skip
    code, teacher = seats["code"], seats["teacher"]
    console = await open_screen(port, code, "console", teacher, "en")
    projector = await open_screen(port, code, "projector", teacher, "en")
    phones = []
    for n, key in enumerate(seats["students"]):
        phones.append(await open_screen(port, code, "student", key, "ko" if n % 2 else "en"))
        await asyncio.sleep(0.01)
    screens = [console, projector, *phones]
    await asyncio.sleep(times["warm"])
    for screen in screens:
        screen.counting = True
    cpu_before, wall_before = cpu_seconds(server), time.monotonic()
    await asyncio.sleep(times["window"])
    cpu = cpu_seconds(server) - cpu_before
    wall = time.monotonic() - wall_before
    rates = {id(s): s.received / wall for s in screens}
    phone_rates = sorted(rates[id(s)] for s in phones)
    delays = await action_delays(console, screens, int(times["trials"]))
    closed = sum(s.closed for s in screens)  # by the server (none should be)
    for screen in screens:
        screen.sendClose()
    await asyncio.sleep(1.0)
    return {
        "students": len(phones),
        "closed": closed,
        "server_cpu": cpu / wall,
        "phone_mean": statistics.fmean(phone_rates),
        "phone_min": phone_rates[0],
        "projector": rates[id(projector)],
        "console": rates[id(console)],
        "action_p50_ms": 1000 * delays[len(delays) // 2],
        "action_p95_ms": 1000 * delays[min(len(delays) - 1, int(len(delays) * 0.95))],
        "action_max_ms": 1000 * delays[-1],
    }


def run(students: int, times: dict[str, float], log: str = "") -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        seats = seat_room(database, students)
        server = start_server(port, database, caps=True, workers=0)
        try:
            return asyncio.run(measure(server.pid, port, seats, times))
        finally:
            server.terminate()
            server.wait(timeout=30)
            if log:  # daphne's log, to read after the run
                shutil.copy(Path(folder) / f"daphne-{port}.log", log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="5 s warm-up, 10 s window, 5 actions")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--log", default="", help="copy daphne's log to this file")
    args = parser.parse_args()
    times = {"warm": 5.0, "window": 10.0, "trials": 5} if args.quick else {
        "warm": 10.0, "window": 30.0, "trials": 20}  # fmt: skip
    load = os.getloadavg()[0]
    result = {**run(args.students, times, args.log), "load_before": load}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"1 room, {result['students']} students + projector + console on one daphne:"
        f" server CPU {result['server_cpu']:.3f} cores;"
        f" updates/s per phone {result['phone_mean']:.2f} (slowest {result['phone_min']:.2f}),"
        f" projector {result['projector']:.2f}, console {result['console']:.2f};"
        f" action → every screen p50 {result['action_p50_ms']:.0f} ms,"
        f" p95 {result['action_p95_ms']:.0f} ms, max {result['action_max_ms']:.0f} ms;"
        f" {result['closed']} screens closed by the server;"
        f" load average before {result['load_before']:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
