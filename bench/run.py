"""Benchmark the simulation core: throughput, snapshot cost, memory, and Ciw for scale.

Run from the repository root:  python bench/run.py [--json] [--quick]
Figures, not a test: see bench/README.md for what each one means.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from architect.sim.flows.aggregate import AGGREGATE, PER_REQUEST
from architect.sim.model.topology import Network, NodeSpec, Topology, Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind

STEP_S = 0.2  # the live view advances 0.2 s of simulated time per frame (5 Hz)
WEB_SERVERS = 7  # DNS + LB + 7 web + DB = 10 nodes; a request visits 3 stations
RATES = {1_000: 20.0, 10_000: 10.0, 30_000: 5.0}  # rps: simulated seconds to run
PATH_RATES = {10_000: 10.0, 35_000: 5.0}


def ten_nodes(rps: float) -> Topology:
    """10 nodes, sized so 30k rps runs at moderate load (no queue-limit errors)."""
    web = [
        NodeSpec(
            id=f"web-{i}", kind=NodeKind.WEB_SERVER, workers=64, service_ms=2.0, queue_limit=10_000
        )
        for i in range(1, WEB_SERVERS + 1)
    ]
    return Topology(
        name="bench",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            NodeSpec(
                id="lb", kind=NodeKind.LOAD_BALANCER, workers=64, service_ms=0.2, queue_limit=10_000
            ),
            *web,
            NodeSpec(
                id="db", kind=NodeKind.DATABASE, workers=64, service_ms=1.0, queue_limit=10_000
            ),
        ),
        links=(("dns", "lb"), *(("lb", w.id) for w in web), *((w.id, "db") for w in web)),
        traffic=Traffic(rps=rps),
    )


def long_path(rps: float) -> Topology:
    """10 nodes on the longest path a request can take: 5 stations for a read that misses.

    DNS -> LB -> web (3) -> session store -> cache -> a replica (2) or the primary.
    Users have sessions; keys barely repeat, so most reads miss the cache.
    """

    def station(node_id: str, kind: NodeKind, service_ms: float, **fields: object) -> NodeSpec:
        return NodeSpec(
            id=node_id, kind=kind, workers=64, service_ms=service_ms, queue_limit=10_000, **fields
        )  # type: ignore[arg-type]

    web = [station(f"web-{i}", NodeKind.WEB_SERVER, 2.0) for i in (1, 2, 3)]
    data = [
        station("db", NodeKind.DATABASE, 1.0),
        station("db-r1", NodeKind.DATABASE, 1.0, role="replica"),
        station("db-r2", NodeKind.DATABASE, 1.0, role="replica"),
    ]
    back = ("sessions", "cache", *(d.id for d in data))
    return Topology(
        name="bench-path",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            station("lb", NodeKind.LOAD_BALANCER, 0.2),
            *web,
            station("sessions", NodeKind.SESSION_STORE, 0.5),
            station("cache", NodeKind.CACHE, 0.5, capacity_keys=1_000),
            *data,
        ),
        links=(
            ("dns", "lb"),
            *(("lb", w.id) for w in web),
            *((w.id, b) for w in web for b in back),
        ),
        traffic=Traffic(rps=rps, keys=1_000_000, zipf_s=0.0, users=100_000),
    )


def _stations_visited(sim: Simulation) -> int:
    return sum(s.completed for s in sim.stations.values())


def path_throughput(rps: float, sim_s: float) -> dict[str, float]:
    """Completed requests per wall second on ``long_path``, 0.2 s steps + a snapshot each."""
    sim = Simulation(long_path(rps), seed=1, mode=PER_REQUEST)  # 35k would switch to aggregate
    sim.advance(1.0)
    served_0, visits_0 = sim.window.cumulative.served, _stations_visited(sim)
    gc.collect()
    start = time.perf_counter()
    for _ in range(round(sim_s / STEP_S)):
        sim.advance(STEP_S)
    wall = time.perf_counter() - start
    served = sim.window.cumulative.served - served_0
    return {
        "rps": rps,
        "requests_per_wall_s": served / wall,
        "stations_per_request": (_stations_visited(sim) - visits_0) / served if served else 0.0,
        "sim_s_per_wall_s": sim_s / wall,
    }


def _events(sim: Simulation) -> int:
    """Timeouts fired by requests: one arrival each plus one service per station visited."""
    completed = sum(s.completed for s in sim.stations.values())
    return sim.stations["db"].completed + completed


def throughput(rps: float, sim_s: float) -> dict[str, float]:
    sim = Simulation(ten_nodes(rps), seed=1, mode=PER_REQUEST)  # 30k would switch to aggregate
    sim.advance(1.0)  # warm up: fill the pipeline
    done_0, events_0 = sim.stations["db"].completed, _events(sim)
    gc.collect()
    start = time.perf_counter()
    for _ in range(round(sim_s / STEP_S)):
        sim.advance(STEP_S)  # returns a Snapshot: one per step, as the live view does
    wall = time.perf_counter() - start
    return {
        "rps": rps,
        "requests_per_wall_s": (sim.stations["db"].completed - done_0) / wall,
        "events_per_wall_s": (_events(sim) - events_0) / wall,
        "sim_s_per_wall_s": sim_s / wall,
    }


def snapshot_cost(calls: int = 1000) -> dict[str, float]:
    sim = Simulation(ten_nodes(10_000), seed=2)
    sim.advance(2.0)
    times = []
    for _ in range(calls):
        sim.advance(0.01)  # keep the state moving between snapshots
        start = time.perf_counter()
        sim.snapshot()
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "calls": calls,
        "mean_ms": 1000 * statistics.fmean(times),
        "p99_ms": 1000 * times[math.ceil(0.99 * calls) - 1],
    }


def million(rps: float = 1_000_000) -> Topology:
    """DNS -> LB -> 20 web servers -> cache -> DB primary + 2 replicas, sized for 1M req/s."""

    def node(node_id: str, kind: NodeKind, workers: int, service_ms: float) -> NodeSpec:
        return NodeSpec(
            id=node_id, kind=kind, workers=workers, service_ms=service_ms, queue_limit=10_000
        )

    web = [node(f"web-{i}", NodeKind.WEB_SERVER, 64, 1.0) for i in range(1, 21)]
    dbs = [node("db", NodeKind.DATABASE, 256, 0.5)] + [
        replace(node(f"db-r{i}", NodeKind.DATABASE, 256, 0.5), role="replica") for i in (1, 2)
    ]
    return Topology(
        name="million",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            node("lb", NodeKind.LOAD_BALANCER, 512, 0.2),
            *web,
            node("cache", NodeKind.CACHE, 256, 0.2),
            *dbs,
        ),
        links=(
            ("dns", "lb"),
            *(("lb", w.id) for w in web),
            *((w.id, "cache") for w in web),
            *((w.id, d.id) for w in web for d in dbs),
        ),
        traffic=Traffic(rps=rps, read_ratio=0.9),
    )


def aggregate(sim_s: float) -> dict[str, float]:
    """Aggregate mode at 1M req/s: simulated seconds per wall second, snapshot cost, memory."""
    sim = Simulation(million(), seed=1)
    assert sim.aggregate.mode == AGGREGATE
    sim.advance(1.0)
    gc.collect()
    rss_0 = _rss_mb()
    start = time.perf_counter()
    snapshots = []
    for _ in range(round(sim_s / STEP_S)):
        sim.advance(STEP_S)
        begin = time.perf_counter()
        sim.snapshot()
        snapshots.append(time.perf_counter() - begin)
    wall = time.perf_counter() - start
    snapshots.sort()
    final = sim.snapshot()
    return {
        "rps": sim.rps,
        "sim_s_per_wall_s": sim_s / wall,
        "throughput_rps": final.throughput_rps,
        "snapshot_mean_ms": 1000 * statistics.fmean(snapshots),
        "snapshot_p99_ms": 1000 * snapshots[math.ceil(0.99 * len(snapshots)) - 1],
        "rss_start_mb": rss_0,
        "rss_end_mb": _rss_mb(),
    }


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def memory(sim_s: float = 600.0) -> dict[str, float]:
    """10 simulated minutes at 1k rps: heap and RSS after the first minute and at the end."""
    sim = Simulation(ten_nodes(1_000), seed=3)
    tracemalloc.start()
    sim.advance(60.0)
    gc.collect()
    heap_start, _ = tracemalloc.get_traced_memory()
    rss_start = _rss_mb()
    tracemalloc.reset_peak()
    for _ in range(round((sim_s - 60.0) / STEP_S)):
        sim.advance(STEP_S)
    gc.collect()
    heap_end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "sim_s": sim_s,
        "heap_start_mb": heap_start / 2**20,
        "heap_end_mb": heap_end / 2**20,
        "heap_peak_mb": peak / 2**20,
        "rss_start_mb": rss_start,
        "rss_end_mb": _rss_mb(),
    }


# -- the same M/M/1 tandem in Ciw and in Architect -----------------------------

TANDEM_RPS, TANDEM_MU, TANDEM_S = 700.0, 1000.0, 60.0


def _architect_tandem() -> float:
    def station(node_id: str, kind: NodeKind) -> NodeSpec:
        return NodeSpec(
            id=node_id, kind=kind, workers=1, service_ms=1000.0 / TANDEM_MU, queue_limit=10**9
        )

    topology = Topology(
        name="tandem",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            station("lb", NodeKind.LOAD_BALANCER),
            station("web", NodeKind.WEB_SERVER),
            station("db", NodeKind.DATABASE),
        ),
        links=(("dns", "lb"), ("lb", "web"), ("web", "db")),
        traffic=Traffic(rps=TANDEM_RPS),
        network=Network(latency_ms=0.0),
    )
    sim = Simulation(topology, seed=1)
    start = time.perf_counter()
    sim.advance(TANDEM_S)
    return sim.stations["db"].completed / (time.perf_counter() - start)


def _ciw_tandem() -> float | None:
    try:
        import ciw  # type: ignore[import-not-found]
    except ImportError:
        return None
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=TANDEM_RPS), None, None],
        service_distributions=[ciw.dists.Exponential(rate=TANDEM_MU)] * 3,
        routing=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
        number_of_servers=[1, 1, 1],
    )
    ciw.seed(1)
    simulation = ciw.Simulation(network)
    start = time.perf_counter()
    simulation.simulate_until_max_time(TANDEM_S)
    wall = time.perf_counter() - start
    return sum(r.node == 3 for r in simulation.get_all_records()) / wall


def versus_ciw(rounds: int = 3) -> dict[str, float | None]:
    """Best of ``rounds`` alternating runs of each: a busy machine slows both alike."""
    architect, ciw_rate = 0.0, None
    for _ in range(rounds):
        architect = max(architect, _architect_tandem())
        rate = _ciw_tandem()
        if rate is not None:
            ciw_rate = max(ciw_rate or 0.0, rate)
    return {
        "architect_requests_per_wall_s": architect,
        "ciw_requests_per_wall_s": ciw_rate,
        "ratio": architect / ciw_rate if ciw_rate else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--quick", action="store_true", help="a tenth of the simulated time")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    results = {
        "throughput": [throughput(rps, sim_s * scale) for rps, sim_s in RATES.items()],
        "snapshot": snapshot_cost(),
        "path": [path_throughput(rps, sim_s * scale) for rps, sim_s in PATH_RATES.items()],
        "memory": memory(max(600.0 * scale, 120.0)),
        "aggregate": aggregate(max(120.0 * scale, 20.0)),
        "ciw": versus_ciw(1 if args.quick else 3),
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print_tables(results)


def _print_tables(results: dict) -> None:  # type: ignore[type-arg]
    agg = results["aggregate"]
    print(
        f"Aggregate mode at {agg['rps']:,.0f} req/s (DNS, LB, 20 web, cache, 3 DBs):\n"
        f"  {agg['sim_s_per_wall_s']:.1f} simulated s per wall s (>= 1 runs live), "
        f"served {agg['throughput_rps']:,.0f} req/s\n"
        f"  snapshot {agg['snapshot_mean_ms']:.2f} ms mean, {agg['snapshot_p99_ms']:.2f} ms p99; "
        f"RSS {agg['rss_start_mb']:.1f} -> {agg['rss_end_mb']:.1f} MB\n"
    )
    print(
        f"Throughput: 10 nodes (DNS, LB, {WEB_SERVERS} web, DB), 3 stations per request, "
        f"{STEP_S} s steps + a snapshot each"
    )
    print(f"{'offered rps':>12} {'requests/s':>12} {'events/s':>12} {'sim s/wall s':>13}")
    for row in results["throughput"]:
        print(
            f"{row['rps']:>12,.0f} {row['requests_per_wall_s']:>12,.0f} "
            f"{row['events_per_wall_s']:>12,.0f} {row['sim_s_per_wall_s']:>13.2f}"
        )
    print(
        "\nLong path: 10 nodes (DNS, LB, 3 web, session store, cache, DB + 2 replicas), "
        f"reads that mostly miss the cache, {STEP_S} s steps + a snapshot each"
    )
    print(f"{'offered rps':>12} {'requests/s':>12} {'stations/req':>13} {'sim s/wall s':>13}")
    for row in results["path"]:
        print(
            f"{row['rps']:>12,.0f} {row['requests_per_wall_s']:>12,.0f} "
            f"{row['stations_per_request']:>13.2f} {row['sim_s_per_wall_s']:>13.2f}"
        )
    snap = results["snapshot"]
    print(
        f"\nSnapshot at 10k rps over {snap['calls']} calls: mean {snap['mean_ms']:.3f} ms, "
        f"p99 {snap['p99_ms']:.3f} ms"
    )
    mem = results["memory"]
    print(f"\nMemory over {mem['sim_s']:.0f} simulated s at 1k rps (after the first 60 s -> end):")
    print(
        f"  traced heap {mem['heap_start_mb']:.2f} -> {mem['heap_end_mb']:.2f} MB "
        f"(peak {mem['heap_peak_mb']:.2f} MB)"
    )
    print(f"  RSS         {mem['rss_start_mb']:.1f} -> {mem['rss_end_mb']:.1f} MB")
    ciw = results["ciw"]
    print(
        "\nM/M/1 tandem (3 stations, 700 rps, mu 1000/s, 60 simulated s), requests per wall second:"
    )
    print(f"  Architect {ciw['architect_requests_per_wall_s']:,.0f}")
    if ciw["ciw_requests_per_wall_s"] is None:
        print("  Ciw       not installed (pip install ciw)")
    else:
        print(f"  Ciw       {ciw['ciw_requests_per_wall_s']:,.0f}")
        print(f"  ratio     {ciw['ratio']:.1f}x (best of alternating runs of each)")


if __name__ == "__main__":
    main()
