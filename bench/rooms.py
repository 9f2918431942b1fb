"""Classrooms over two daphne processes with Redis and PostgreSQL: updates per second
every student gets (issue #12.5: 10 rooms × 30 students, every client ≥ 4.5 a second).

Starts a throwaway PostgreSQL and Redis (Debian's packages, as `make test` does:
tests/helpers/services.py), migrates, seeds the rooms, and starts two daphne processes
on them (tests/helpers/cluster.py, as docs/deployment.md runs them). Each room's
console opens first, on the process of its turn, so that the rooms' owners are shared
out between the two processes; its students alternate between the processes (as
nginx's `least_conn` spreads them), or, with `--together`, all go to the room's owner
(as the room upstream in docs/deployment.md keeps them). Then it
counts the messages (updates) each student's socket receives over a measured window,
and the CPU each server process used. Run from the repository root:

    python bench/rooms.py              # 10 rooms × 30 students, 10 s warm-up, 30 s window
    python bench/rooms.py --quick      # 5 s warm-up, 10 s window
    python bench/rooms.py --rooms 4 --students 20

Figures, not pass/fail: see bench/README.md. The clients run in this process, on the
same machine: they take CPU from the servers (reported as `client cores`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from helpers.cluster import Daphne, Screen, database, environment, run_python  # noqa: E402
from helpers.services import PostgreSQL, Redis, postgres_programs  # noqa: E402

SEED = """
import json
from classrooms import services
from helpers.rooms import load_plan, make_user, seat, session_for
load_plan()
rooms = []
for r in range({rooms}):
    teacher = make_user(f"teacher{{r}}", instructor=True)
    room = services.room_create(instructor=teacher, plan_slug="demo")
    students = [seat(room, f"Student {{n}}")[0] for n in range({students})]
    rooms.append({{"code": room.code, "teacher": session_for(teacher), "students": students}})
print(json.dumps(rooms))
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    web: list[Daphne],
    rooms: list[dict[str, object]],
    redis_pid: int,
    times: tuple[float, float],
    together: bool,
) -> dict[str, object]:
    warm_s, window_s = times
    consoles, students = [], []
    for r, room in enumerate(rooms):
        path = f"/ws/classroom/{room['code']}"
        owner = web[r % len(web)]
        consoles.append(
            await Screen("console", owner, f"{path}/console/", str(room["teacher"])).open()
        )
        for n, key in enumerate(room["students"]):  # type: ignore[arg-type]
            process = owner if together else web[(r + n) % len(web)]
            students.append(await Screen(f"{r}/{n}", process, f"{path}/student/", key).open())
            await asyncio.sleep(0.005)
    await asyncio.sleep(warm_s)
    counts = [len(s.messages) for s in students]
    pids = {"web-a": web[0].pid, "web-b": web[1].pid, "redis": redis_pid, "client": os.getpid()}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.monotonic()
    await asyncio.sleep(window_s)
    wall = time.monotonic() - started
    cores = {name: (cpu_seconds(pid) - cpu_before[name]) / wall for name, pid in pids.items()}
    rates = sorted((len(s.messages) - c) / wall for s, c in zip(students, counts, strict=True))
    closed = sum(1 for s in (*consoles, *students) if s.closed is not None)
    for screen in (*consoles, *students):
        await screen.close()
    web_cores = cores["web-a"] + cores["web-b"]
    updates = sum(rates) * wall
    return {
        "rooms": len(rooms),
        "students": len(students),
        "closed": closed,
        "mean": statistics.fmean(rates),
        "p10": rates[len(rates) // 10],
        "min": rates[0],
        "at_least_4_5": sum(1 for r in rates if r >= 4.5),
        "cores": cores,
        "web_ms_per_student_second": 1000 * web_cores / len(students),
        "web_ms_per_update": 1000 * web_cores * wall / max(1.0, updates),
    }


def run(rooms: int, students: int, times: tuple[float, float], together: bool) -> dict[str, object]:
    programs, redis_program = postgres_programs(), shutil.which("redis-server")
    if programs is None or redis_program is None:
        raise SystemExit("needs Debian's postgresql and redis-server (make test-deps)")
    postgres, redis = PostgreSQL(programs), Redis(redis_program)
    web: list[Daphne] = []
    logs = tempfile.TemporaryDirectory(prefix="architect-bench-rooms-")
    try:
        url = database(postgres.start(), "architect_bench")
        env = environment(url, redis.start(), CLASSROOM_MAX_PARTICIPANTS=str(students))
        seed = run_python(SEED.format(rooms=rooms, students=students), env)
        seeded = json.loads(seed.strip().splitlines()[-1])
        folder = Path(logs.name)
        web = [Daphne(env, folder / f"{n}.log", connect_timeout_s=60) for n in "ab"]
        for process in web:
            process.wait_listening()
        assert redis.process is not None
        return asyncio.run(measure(web, seeded, redis.process.pid, times, together))
    finally:
        for process in web:
            process.stop()
        redis.stop()
        postgres.stop()
        logs.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--students", type=int, default=30, help="per room")
    parser.add_argument("--quick", action="store_true", help="5 s warm-up, 10 s window")
    parser.add_argument(
        "--together",
        action="store_true",
        help="each room's screens on its owner's process (nginx's room upstream)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warm_s, window_s = (5.0, 10.0) if args.quick else (10.0, 30.0)
    load = os.getloadavg()[0]
    result = run(args.rooms, args.students, (warm_s, window_s), args.together)
    result["load_before"] = load
    if args.json:
        print(json.dumps(result, indent=2))
        return
    cores = result["cores"]
    assert isinstance(cores, dict)
    print(
        f"{result['rooms']} rooms × {args.students} students ({result['closed']} closed), "
        f"load before {load:.1f}\n"
        f"updates/s per student: mean {result['mean']:.2f}, p10 {result['p10']:.2f}, "
        f"min {result['min']:.2f}; ≥ 4.5: {result['at_least_4_5']} of {result['students']}\n"
        f"cores: web-a {cores['web-a']:.2f}, web-b {cores['web-b']:.2f}, "
        f"redis {cores['redis']:.2f}, client {cores['client']:.2f}\n"
        f"web CPU: {result['web_ms_per_student_second']:.2f} ms per student-second, "
        f"{result['web_ms_per_update']:.3f} ms per update"
    )


if __name__ == "__main__":
    main()
