"""What a room's screens cost in CPU, in process: one room's console, projector and
students over the real ASGI stack (``architect.asgi``: origin check, session, consumers,
the in-memory channel layer), the room's owner ticking at 5 a second, on a throwaway
SQLite database holding the shipped plan (as ``bench/classroom.py`` seats it).

It counts the CPU time of this process (``time.process_time``: every thread, so the
database thread too) over a window and the messages the screens got, for each size
given, each its own room, one after the other: the room's cores, CPU per screen update,
and between two sizes what one more screen costs (the per-screen cost, what #11 cuts).
Daphne's framing and the sockets are not in it (``bench/classroom.py`` has them): each
screen's messages are taken off its queue and counted. CPU time, not wall-clock rates:
meaningful on a busy machine (the machine's load still slows every instruction a little).

    python bench/room_cpu.py                       # 60 and 4 students, 5 s warm-up, 20 s window
    python bench/room_cpu.py --students 60 --window 10
    python bench/room_cpu.py --students 60 --profile stacks.txt   # py-spy over the window
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seating import ROOT, seat_room

ORIGIN = [(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]


async def open_screen(application: Any, code: str, kind: str, key: str, lang: str) -> Any:
    from channels.testing import WebsocketCommunicator

    headers = [*ORIGIN, (b"cookie", f"sessionid={key}".encode())]
    screen = WebsocketCommunicator(application, f"/ws/classroom/{code}/{kind}/?lang={lang}",
                                   headers=headers)  # fmt: skip
    connected, _code = await screen.connect(timeout=60)
    assert connected, f"{kind} refused"
    return screen


def threads_cpu() -> float:
    """CPU seconds of this process's threads other than the main one (the database
    thread, a step's thread), from /proc."""
    total = 0.0
    for task in Path("/proc/self/task").iterdir():
        if int(task.name) == os.getpid():
            continue
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def count(screen: Any, counter: list[int]) -> None:
    """Takes the screen's messages off its queue as they come (daphne would send them)."""
    queue = screen.output_queue
    while True:
        message = await queue.get()
        if message.get("type") == "websocket.send":
            counter[0] += 1


async def measure(
    seats: dict[str, Any], warm: float, window: float, profile: str = ""
) -> dict[str, Any]:
    from architect.asgi import application
    from classrooms import heartbeat, runner

    code = seats["code"]
    screens = [
        await open_screen(application, code, "console", seats["teacher"], "en"),
        await open_screen(application, code, "projector", seats["teacher"], "en"),
    ]
    for n, key in enumerate(seats["students"]):
        lang = "ko" if n % 2 else "en"
        screens.append(await open_screen(application, code, "student", key, lang))
    counter = [0]
    counting = [asyncio.create_task(count(s, counter)) for s in screens]
    await asyncio.sleep(warm)
    received, cpu, wall = counter[0], time.process_time(), time.monotonic()
    threads = threads_cpu()
    spy = None
    if profile:  # py-spy (pip install py-spy) over the window only, raw stacks
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking",
                   "-r", "100", "-f", "raw", "-d", str(int(window)), "-p", str(os.getpid()),
                   "-o", profile]  # fmt: skip
        spy = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)  # fmt: skip
    await asyncio.sleep(window)
    received, cpu = counter[0] - received, time.process_time() - cpu
    wall = time.monotonic() - wall
    threads = threads_cpu() - threads
    if spy is not None:
        await spy.wait()
    for task in counting:
        task.cancel()
    for screen in screens:
        await screen.disconnect()
    await runner.stop_all()
    await heartbeat.HEARTBEAT.stop()
    return {
        "students": len(seats["students"]),
        "screens": len(screens),
        "cores": cpu / wall,
        "other_threads_cores": threads / wall,
        "updates_per_screen_s": received / wall / len(screens),
        "cpu_per_screen_update_ms": 1000 * cpu / max(1, received),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[60, 4])
    parser.add_argument("--warm", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--profile", default="", help="py-spy's raw stacks of the first size's window"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        rooms = [seat_room(database, n) for n in args.students]
        os.environ.update({"DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1",
                           "DJANGO_LOG_LEVEL": "WARNING"})  # fmt: skip
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        results = [
            asyncio.run(measure(seats, args.warm, args.window, args.profile if n == 0 else ""))
            for n, seats in enumerate(rooms)
        ]
    if len(results) >= 2:
        big, small = results[0], results[-1]
        extra = big["screens"] - small["screens"]
        per_screen = (big["cores"] - small["cores"]) / extra if extra else 0.0
        big["one_more_screen_cores"] = per_screen
    if args.json:
        print(json.dumps({"load_before": load, "rooms": results}, indent=2))
        return
    for result in results:
        line = (
            f"{result['students']} students ({result['screens']} screens):"
            f" {result['cores']:.3f} cores ({result['other_threads_cores']:.3f} in threads other"
            f" than the event loop's), {result['updates_per_screen_s']:.2f} updates/s"
            f" per screen, {result['cpu_per_screen_update_ms']:.3f} ms CPU per screen update"
        )
        if "one_more_screen_cores" in result:
            line += f"; one more screen {1000 * result['one_more_screen_cores']:.2f} ms CPU/s"
        print(line + f"; load average before {load:.1f}", flush=True)


if __name__ == "__main__":
    main()
