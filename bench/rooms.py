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
the CPU each server process, Redis and PostgreSQL used, and the commands Redis and the
transactions PostgreSQL served. Run from the repository root:

    python bench/rooms.py              # 10 rooms × 30 students, 10 s warm-up, 30 s window
    python bench/rooms.py --quick      # 5 s warm-up, 10 s window
    python bench/rooms.py --rooms 4 --students 20

Figures, not pass/fail: see bench/README.md. The clients run on the same machine,
spread over `--client-processes` processes (bench/clients.py: each only counts frames);
they take CPU from the servers (reported, with the side that was the limit).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(Path(__file__).resolve().parent)]

from clients import (  # noqa: E402
    Clients,
    Tab,
    children_of,
    cpu_seconds,
    limit,
    machine_busy_seconds,
    run_clients,
)

from helpers.cluster import Daphne, database, environment, run_python  # noqa: E402
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


def postmaster_pid(postgres: PostgreSQL) -> int:
    return int((postgres.data / "postmaster.pid").read_text().split("\n", 1)[0])


def family_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (PostgreSQL's backends) so far."""
    total = 0.0
    for each in (pid, *children_of([pid])):
        with contextlib.suppress(OSError, ValueError, IndexError):  # a backend that ended
            total += cpu_seconds(each)
    return total


def counters(redis_url: str, postgres: PostgreSQL) -> dict[str, float]:
    """Redis's commands and PostgreSQL's transactions so far (the load on each)."""
    import psycopg
    import redis

    client = redis.Redis.from_url(redis_url)
    commands = float(client.info("stats")["total_commands_processed"])
    client.close()
    with psycopg.connect(
        host="127.0.0.1", port=postgres.port, user="postgres", dbname="postgres"
    ) as connection:
        row = connection.execute(
            "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database"
        ).fetchone()
    return {"redis_commands": commands, "pg_transactions": float(row[0] if row else 0)}


def tabs_of(web: list[Daphne], rooms: list[dict[str, Any]], together: bool) -> list[Tab]:
    """Each room's console (stage 0, on the processes in turn: the rooms' owners are
    shared out), then its students (stage 1), alternating between the processes or all on
    the owner's (``together``)."""
    tabs = []
    for r, room in enumerate(rooms):
        path = f"/ws/classroom/{room['code']}"
        owner = web[r % len(web)]
        cookie = f"sessionid={room['teacher']}"
        tabs.append(Tab("console", owner.port, f"{path}/console/", cookie))
        for n, key in enumerate(room["students"]):
            process = owner if together else web[(r + n) % len(web)]
            tabs.append(
                Tab("student", process.port, f"{path}/student/", f"sessionid={key}", stage=1)
            )
    return tabs


def summarise(
    clients: Clients, rooms: int, names: dict[str, int], extra: dict[str, float]
) -> dict[str, Any]:
    wall = clients.window_s
    first, last = clients.probes
    cores = {name: (last[name] - first[name]) / wall for name in names}
    cores["clients"] = sum(clients.cpu)
    machine = (last["machine"] - first["machine"]) / wall
    rates = clients.rates("student") or [0.0]
    consoles = clients.rates("console") or [0.0]
    students = len(clients.group("student"))
    web = [cores["web-a"], cores["web-b"]]
    updates = sum(t.received for t in clients.tabs)
    per = {k: (last[k] - first[k]) / wall for k in ("redis_commands", "pg_transactions")}
    return {
        "rooms": rooms,
        "students": students,
        "closed": sum(1 for t in clients.tabs if t.closed),
        "mean": statistics.fmean(rates),
        "p10": rates[len(rates) // 10],
        "min": rates[0],
        "at_least_4_5": sum(1 for r in rates if r >= 4.5),
        "console_min": consoles[0],
        "cores": cores,
        "client_cpu": clients.cpu,
        "other_cpu": max(0.0, machine - sum(cores.values())),
        "wake_delay_p95_ms": clients.delay_p95_ms,
        "limit": limit(web, clients.cpu, machine, clients.delay_p95_ms),
        "web_ms_per_student_second": 1000 * sum(web) / max(1, students),
        "web_ms_per_update": 1000 * sum(web) * wall / max(1, updates),
        "redis_commands_per_s": per["redis_commands"],
        "pg_transactions_per_s": per["pg_transactions"],
        **extra,
    }


def run(
    rooms: int, students: int, times: tuple[float, float], together: bool, client_processes: int
) -> dict[str, Any]:
    programs, redis_program = postgres_programs(), shutil.which("redis-server")
    if programs is None or redis_program is None:
        raise SystemExit("needs Debian's postgresql and redis-server (make test-deps)")
    postgres, redis = PostgreSQL(programs), Redis(redis_program)
    web: list[Daphne] = []
    logs = tempfile.TemporaryDirectory(prefix="architect-bench-rooms-")
    try:
        url = database(postgres.start(), "architect_bench")
        redis_url = redis.start()
        env = environment(url, redis_url, CLASSROOM_MAX_PARTICIPANTS=str(students))
        seed = run_python(SEED.format(rooms=rooms, students=students), env)
        seeded = json.loads(seed.strip().splitlines()[-1])
        folder = Path(logs.name)
        web = [Daphne(env, folder / f"{n}.log", connect_timeout_s=60) for n in "ab"]
        for process in web:
            process.wait_listening()
        assert redis.process is not None
        names = {
            "web-a": web[0].pid,
            "web-b": web[1].pid,
            "redis": redis.process.pid,
            "postgres": postmaster_pid(postgres),
        }

        def probe() -> dict[str, float]:
            sample = {name: family_cpu(pid) for name, pid in names.items()}
            return {**sample, **counters(redis_url, postgres), "machine": machine_busy_seconds()}

        warm_s, window_s = times
        clients = run_clients(
            tabs_of(web, seeded, together), client_processes, warm_s, window_s, probe
        )
        return summarise(clients, rooms, names, {})
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
    parser.add_argument(
        "--client-processes", type=int, default=2, help="processes the clients are spread over"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warm_s, window_s = (5.0, 10.0) if args.quick else (10.0, 30.0)
    load = os.getloadavg()[0]
    times = (warm_s, window_s)
    result = run(args.rooms, args.students, times, args.together, args.client_processes)
    result["load_before"] = load
    if args.json:
        print(json.dumps(result, indent=2))
        return
    cores = result["cores"]
    clients = " + ".join(f"{x:.3f}" for x in result["client_cpu"])
    print(
        f"{result['rooms']} rooms × {args.students} students ({result['closed']} closed), "
        f"load before {load:.1f}\n"
        f"updates/s per student: mean {result['mean']:.2f}, p10 {result['p10']:.2f}, "
        f"min {result['min']:.2f}; ≥ 4.5: {result['at_least_4_5']} of {result['students']}; "
        f"slowest console {result['console_min']:.2f}\n"
        f"cores: web-a {cores['web-a']:.2f}, web-b {cores['web-b']:.2f}, "
        f"redis {cores['redis']:.2f}, postgres {cores['postgres']:.2f}, clients {clients}, "
        f"others {result['other_cpu']:.2f}; a 10 ms nap woke "
        f"{result['wake_delay_p95_ms']:.1f} ms late (p95); limit: {result['limit']}\n"
        f"web CPU: {result['web_ms_per_student_second']:.2f} ms per student-second, "
        f"{result['web_ms_per_update']:.3f} ms per update; "
        f"Redis {result['redis_commands_per_s']:.0f} commands/s, "
        f"PostgreSQL {result['pg_transactions_per_s']:.1f} transactions/s"
    )


if __name__ == "__main__":
    main()
