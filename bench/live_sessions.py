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

The clients (``bench/clients.py``) are spread over ``--client-processes`` processes (2),
each an asyncio loop that only counts frames; each reports its CPU over the window, as
do the web processes and the machine, and the run names the side that was the limit (a
process near a whole core, or every core busy).

``--trace`` asks each daphne for its debug trace (``SANDBOX_TRACE_FILE``,
``architect/sandbox/trace.py``: the moments each message and tick passed each point of
its way, on the machine's monotonic clock, as do the workers and the clients) and prints
where a click's time went, from the client's send to its screen, and a tick's: each part's
p50 and p95 and its mean over the slowest tenth of clicks.

Figures, not pass/fail: see bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clients import (
    HANG_S,
    Clients,
    Tab,
    children_of,
    cpu_seconds,
    limit,
    machine_busy_seconds,
    run_clients,
    spread,
)

ROOT = Path(os.environ.get("ARCHITECT_ROOT") or Path(__file__).resolve().parents[1])
HOSTILE = 4
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


def family(pids: list[int]) -> list[int]:
    """The processes and their children (the simulation workers)."""
    return [*pids, *children_of(pids)]


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


def start_server(
    port: int, database: Path, caps: bool, workers: int, trace: bool = False
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SANDBOX_MAX_SIMULATIONS_PER_ADDRESS": "1000",  # every client is 127.0.0.1 here
        "SIM_WORKERS": str(workers),
    }
    env.pop("REDIS_URL", None)
    if trace:
        env["SANDBOX_TRACE_FILE"] = str(database.parent / f"trace-{port}.jsonl")
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


@dataclass(frozen=True)
class Setup:
    """One run: the sockets to open, the servers to start and the client processes."""

    sessions: int
    hostile: int = HOSTILE
    heavy: int = 0
    clickers: int = 0
    caps: bool = True
    workers: int = 0
    processes: int = 1
    client_processes: int = 2
    trace: bool = False


def tabs_of(setup: Setup, ports: list[int]) -> list[Tab]:
    """Every socket of the run, in the order they open: the hostile and heavy tabs (and
    their architectures) first, then the ordinary sessions, then the clickers; each kind
    spread over the servers in turn."""
    path = "/ws/sandbox/"
    hostile = [
        Tab("hostile", p, path, actions=HOSTILE_ACTIONS) for p in spread(setup.hostile, ports)
    ]
    heavy = [
        Tab("heavy", p, path, actions=HEAVY_ACTIONS)
        for p in spread(setup.heavy, ports, setup.hostile)
    ]
    ordinary = [Tab("ordinary", p, path) for p in spread(setup.sessions, ports)]
    clickers = [Tab("clicker", p, path, clicks=True) for p in spread(setup.clickers, ports)]
    return [*hostile, *heavy, *ordinary, *clickers]


def probe(servers: list[int]) -> dict[str, Any]:
    """CPU seconds so far: each web process alone, with its workers, and the machine."""
    web = {}
    for pid in servers:
        with contextlib.suppress(OSError, ValueError, IndexError):
            web[pid] = cpu_seconds(pid)
    return {
        "web": web,
        "family": family_cpu(servers),
        "machine": machine_busy_seconds(),
        "at": time.monotonic(),
    }


def summarise(setup: Setup, clients: Clients) -> dict[str, Any]:
    window = clients.window_s
    first, last = clients.probes
    web = [(last["web"][pid] - first["web"][pid]) / window for pid in first["web"]]
    server = (last["family"] - first["family"]) / window
    machine = (last["machine"] - first["machine"]) / window
    rates = clients.rates("ordinary") or [0.0]
    hostile_rates = clients.rates("hostile", "heavy") or [0.0]
    latencies = sorted(x for t in clients.group("clicker") for x in t.latencies)
    latencies = latencies or [float("nan")]
    updates = sum(t.received for t in clients.tabs)
    return {
        "sessions": setup.sessions,
        "refused": sum(1 for t in clients.group("ordinary") if t.closed),
        "server_cpu": server,  # cores the servers and their workers used
        "web_cpu": web,  # each web process alone
        "client_cpu": clients.cpu,  # each client process
        "other_cpu": max(0.0, machine - server - sum(clients.cpu)),
        "wake_delay_p95_ms": clients.delay_p95_ms,
        "limit": limit(web, clients.cpu, machine, clients.delay_p95_ms),
        "cpu_ms_per_update": 1000 * server * window / max(1, updates),
        "mean": statistics.fmean(rates),
        "p10": rates[len(rates) // 10],
        "min": rates[0],
        "hostile_mean": statistics.fmean(hostile_rates),
        "clicks": len(latencies) if setup.clickers else 0,
        "click_p50_ms": 1000 * latencies[len(latencies) // 2],
        "click_p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
    }


def run_one(setup: Setup, warm_s: float, window_s: float) -> dict[str, Any]:
    ports = [free_port() for _ in range(setup.processes)]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        servers = []
        try:
            for port in ports:
                servers.append(start_server(port, database, setup.caps, setup.workers, setup.trace))
            pids = [server.pid for server in servers]
            clients = run_clients(
                tabs_of(setup, ports),
                setup.client_processes,
                warm_s,
                window_s,
                probe=lambda: probe(pids),
            )
            result = summarise(setup, clients)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
        if setup.trace:
            traces = [
                t for port in ports for t in read_traces(Path(folder) / f"trace-{port}.jsonl")
            ]
            result["trace"] = breakdown(traces, clients)
        return result


def read_traces(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def parts_of(marks: list[list[Any]]) -> dict[str, float]:
    """Seconds between consecutive marks, each part named by the mark it ends at."""
    return {f"{b[0]}": b[1] - a[1] for a, b in itertools.pairwise(marks)}


def breakdown(traces: list[dict[str, Any]], clients: Clients) -> dict[str, Any]:
    """Where the clicks' and the ticks' time went: each part's p50 and p95 (ms), and its
    mean over the slowest tenth of clicks; clicks joined to their client's answer by the
    moment each was sent."""
    screens = {}
    for tab in clients.group("clicker"):
        for sent, latency in zip(tab.clicked_at, tab.latencies, strict=True):
            screens[round(sent, 6)] = sent + latency
    clicks = []
    for trace in traces:
        marks = trace["marks"]
        if trace["kind"] == "message" and marks[0][0] == "client":
            screen = screens.get(round(marks[0][1], 6))
            if screen is not None:
                clicks.append(parts_of([*marks, ["screen", screen]]))
    start, end = clients.probes[0]["at"], clients.probes[1]["at"]
    ticks = [
        parts_of(t["marks"])
        for t in traces
        if t["kind"] == "tick" and start <= t["marks"][0][1] <= end
    ]
    return {"clicks": table(clicks, slowest=True), "ticks": table(ticks)}


def table(rows: list[dict[str, float]], slowest: bool = False) -> dict[str, Any]:
    names: list[str] = []
    for row in rows:
        names += [name for name in row if name not in names]
    totals = [sum(row.values()) for row in rows]
    cut = percentile(totals, 0.9)
    slow = [row for row, total in zip(rows, totals, strict=True) if total >= cut]
    parts = {}
    for name in names:
        values = [row[name] for row in rows if name in row]
        parts[name] = {
            "p50": 1000 * percentile(values, 0.5),
            "p95": 1000 * percentile(values, 0.95),
            **(
                {"slowest tenth": 1000 * statistics.fmean(r.get(name, 0.0) for r in slow)}
                if slowest and slow
                else {}
            ),
        }
    return {
        "count": len(rows),
        "total": {"p50": 1000 * percentile(totals, 0.5), "p95": 1000 * percentile(totals, 0.95)},
        "parts": parts,
    }


def describe_trace(trace: dict[str, Any]) -> str:
    lines = []
    for kind in ("clicks", "ticks"):
        found = trace[kind]
        total = found["total"]
        lines.append(
            f"  {kind} traced: {found['count']}, total p50 {total['p50']:.1f} / p95"
            f" {total['p95']:.1f} ms; part (ends at): p50 / p95"
            + (" / mean of the slowest tenth" if kind == "clicks" else "")
        )
        for name, part in found["parts"].items():
            figures = " / ".join(f"{value:.1f}" for value in part.values())
            lines.append(f"    {name:>14}: {figures} ms")
    return "\n".join(lines)


def describe(setup: Setup, result: dict[str, Any]) -> str:
    clicks = (
        f" a click's p50 / p95 {result['click_p50_ms']:.0f} / {result['click_p95_ms']:.0f} ms"
        f" ({result['clicks']:.0f} clicks);"
        if setup.clickers
        else ""
    )
    web = " + ".join(f"{x:.2f}" for x in result["web_cpu"])
    client = " + ".join(f"{x:.3f}" for x in result["client_cpu"])
    return (
        f"{setup.sessions:4d} sessions ({result['refused']} refused: over the cap)"
        f" + {setup.hostile} hostile + {setup.heavy} heavy,"
        f" {setup.processes} process(es) x {setup.workers} worker(s),"
        f" caps {'on' if setup.caps else 'off'}:"
        f" {result['mean']:.2f} updates/s per session (slowest tenth {result['p10']:.2f},"
        f" slowest {result['min']:.2f}); hostile/heavy tabs {result['hostile_mean']:.2f}/s;"
        f"{clicks}"
        f" server CPU {result['server_cpu']:.2f} cores (web processes alone {web}),"
        f" {result['cpu_ms_per_update']:.2f} ms per update;"
        f" clients {client} cores ({setup.client_processes} processes);"
        f" others {result['other_cpu']:.2f} cores; a 10 ms nap woke"
        f" {result['wake_delay_p95_ms']:.1f} ms late (p95); limit: {result['limit']};"
        f" load average before {result['load_before']:.1f}"
        + ("\n" + describe_trace(result["trace"]) if "trace" in result else "")
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
    parser.add_argument(
        "--client-processes", type=int, default=2, help="processes the clients are spread over"
    )
    parser.add_argument("--trace", action="store_true", help="where a click's time goes")
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
            client_processes=args.client_processes,
            trace=args.trace,
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
