"""Aggregate mode against the per-request engine and against queueing theory.

Both modes run the same topology at a rate both can run; aggregate mode's mean and
p99 must be within ±3 % of per-request mode's and of the closed forms, utilisation
within ±1 % (absolute). Measures are the long-run ones (``Window.cumulative`` and
``Station.areas``) after a warm-up. Runs are deterministic per seed.

The closed forms are the textbooks' (``helpers.queueing``: M/M/1, Erlang C for M/M/c,
the G/M/1 root for the Erlang-k gaps a round robin over k servers gives each one),
written apart from aggregate mode's own ``sim/sojourn.py`` and checked against the
per-request engine in test_queueing_theory.py. A tandem's mean is the sum of its
stations' means; its database sees the merged departures of four E_4/M/1 servers,
taken as Poisson (close enough for the ±3 %).
"""

from __future__ import annotations

import functools

import pytest

from architect.sim.commands import FailNode, SetTraffic
from architect.sim.flows.aggregate import (
    AGGREGATE,
    AGGREGATE_ABOVE_RPS,
    PER_REQUEST,
    PER_REQUEST_BELOW_RPS,
)
from architect.sim.model.topology import Network, NodeSpec, Topology, Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind

from helpers.measure import Run, run
from helpers.queueing import (
    ek_m1_sojourn_mean,
    mm1_sojourn_mean,
    mm1_sojourn_quantile,
    mmc_sojourn_mean,
    mmc_sojourn_quantile,
)

NO_LIMIT = 10**9
TOLERANCE = 0.03
UTILISATION_TOLERANCE = 0.01


# -- topologies -------------------------------------------------------------------


def _node(
    node_id: str, kind: NodeKind, workers: int, service_ms: float, limit: int = NO_LIMIT
) -> NodeSpec:
    return NodeSpec(
        id=node_id, kind=kind, workers=workers, service_ms=service_ms, queue_limit=limit
    )


def single(rps: float, workers: int, limit: int = NO_LIMIT) -> Topology:
    """DNS -> one web server with 1 ms services: M/M/c."""
    return Topology(
        name="M/M/c",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            _node("web", NodeKind.WEB_SERVER, workers, 1.0, limit),
        ),
        links=(("dns", "web"),),
        traffic=Traffic(rps=rps),
        network=Network(latency_ms=0.0),
    )


WEBS = 4


def tandem(rps: float) -> Topology:
    """DNS -> LB (0.1 ms) -> round robin over 4 web servers (1 ms) -> DB (0.25 ms)."""
    web = [_node(f"web-{i}", NodeKind.WEB_SERVER, 1, 1.0) for i in range(1, WEBS + 1)]
    return Topology(
        name="Tandem",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            _node("lb", NodeKind.LOAD_BALANCER, 1, 0.1),
            *web,
            _node("db", NodeKind.DATABASE, 1, 0.25),
        ),
        links=(("dns", "lb"), *(("lb", w.id) for w in web), *((w.id, "db") for w in web)),
        traffic=Traffic(rps=rps),
        network=Network(latency_ms=0.0),
    )


# -- measuring --------------------------------------------------------------------


SEEDS = (1, 2, 3)
WARM_UP_S = 2.0
AGGREGATE_MEASURE_S = 20.0  # about 100,000 sampled paths


@functools.cache
def pooled(name: str, mode: str) -> Run:
    """Per request: the seeds' runs averaged; aggregate (nearly noiseless): one shorter run."""
    topology, measure_s = SCENARIOS[name]
    if mode == AGGREGATE:
        runs = [run(topology, SEEDS[0], WARM_UP_S, AGGREGATE_MEASURE_S, mode=mode)]
    else:
        runs = [run(topology, seed, WARM_UP_S, measure_s, mode=mode) for seed in SEEDS]
    return Run(
        sum(r.mean_ms for r in runs) / len(runs),
        sum(r.p99_ms for r in runs) / len(runs),
        {i: sum(r.utilisation[i] for r in runs) / len(runs) for i in runs[0].utilisation},
    )


SCENARIOS = {  # (topology, simulated seconds measured per seed): about 100,000 requests each
    "mm1-0.5": (single(500.0, 1), 100.0),
    "mm1-0.8": (single(800.0, 1), 200.0),
    "mm4-0.5": (single(2000.0, 4), 50.0),
    "mm4-0.8": (single(3200.0, 4), 50.0),
    "tandem-0.5": (tandem(2000.0), 40.0),
    "tandem-0.8": (tandem(3200.0), 50.0),
}
THEORY = {  # name: (mean ms, p99 ms or None, utilisation by node); E_k/M/1 rates per server
    "mm1-0.5": (
        1e3 * mm1_sojourn_mean(500, 1000),
        1e3 * mm1_sojourn_quantile(500, 1000, 0.99),
        {"web": 0.5},
    ),
    "mm1-0.8": (
        1e3 * mm1_sojourn_mean(800, 1000),
        1e3 * mm1_sojourn_quantile(800, 1000, 0.99),
        {"web": 0.8},
    ),
    "mm4-0.5": (
        1e3 * mmc_sojourn_mean(4, 2000, 1000),
        1e3 * mmc_sojourn_quantile(4, 2000, 1000, 0.99),
        {"web": 0.5},
    ),
    "mm4-0.8": (
        1e3 * mmc_sojourn_mean(4, 3200, 1000),
        1e3 * mmc_sojourn_quantile(4, 3200, 1000, 0.99),
        {"web": 0.8},
    ),
    "tandem-0.5": (
        1e3
        * (
            mm1_sojourn_mean(2000, 10_000)
            + ek_m1_sojourn_mean(WEBS, 500, 1000)
            + mm1_sojourn_mean(2000, 4000)
        ),
        None,
        {"lb": 0.2, "web-1": 0.5, "db": 0.5},
    ),
    "tandem-0.8": (
        1e3
        * (
            mm1_sojourn_mean(3200, 10_000)
            + ek_m1_sojourn_mean(WEBS, 800, 1000)
            + mm1_sojourn_mean(3200, 4000)
        ),
        None,
        {"lb": 0.32, "web-1": 0.8, "db": 0.8},
    ),
}


def _close(value: float, reference: float, tolerance: float = TOLERANCE) -> bool:
    return abs(value - reference) <= tolerance * reference


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_aggregate_matches_per_request_and_theory(name: str):
    """Mean and p99 within ±3 % of per-request mode and of the formulas; utilisation within ±1 %."""
    aggregate, per_request = pooled(name, AGGREGATE), pooled(name, PER_REQUEST)
    mean_ms, p99_ms, utilisation = THEORY[name]
    summary = f"{name}: aggregate {aggregate}, per request {per_request}, theory {THEORY[name]}"
    print(summary)
    assert _close(aggregate.mean_ms, per_request.mean_ms), summary
    assert _close(aggregate.p99_ms, per_request.p99_ms), summary
    assert _close(aggregate.mean_ms, mean_ms), summary
    if p99_ms is not None:
        assert _close(aggregate.p99_ms, p99_ms), summary
    for node_id, rho in utilisation.items():
        assert abs(aggregate.utilisation[node_id] - rho) <= UTILISATION_TOLERANCE, summary
        assert (
            abs(aggregate.utilisation[node_id] - per_request.utilisation[node_id])
            <= UTILISATION_TOLERANCE
        )


# -- behaviour --------------------------------------------------------------------


def test_queue_limit_turns_overload_into_errors():
    """At twice the capacity with room for 50 waiting, half fails and the rest waits ~50 services."""
    sim = Simulation(single(2000.0, 1, limit=50), seed=1, mode=AGGREGATE)
    snapshot = sim.advance(5.0)
    assert snapshot.error_rate == pytest.approx(0.5, abs=0.03)
    assert snapshot.throughput_rps == pytest.approx(1000.0, rel=0.03)
    assert snapshot.node("web").utilization == pytest.approx(1.0, abs=0.01)
    assert snapshot.node("web").queued == 50
    assert snapshot.latency is not None
    assert snapshot.latency.p50_ms == pytest.approx(51.0, rel=0.1)  # 50 ahead, then its own service


def test_a_failure_moves_the_load_to_the_other_servers():
    """Web-1 fails: its share fails until the health check, then the others carry everything."""
    topology = tandem(2000.0)
    sim = Simulation(topology, seed=1, mode=AGGREGATE)
    before = sim.advance(5.0)
    assert before.node("web-2").utilization == pytest.approx(0.5, abs=0.02)
    sim.apply(FailNode("web-1"))
    during = sim.advance(0.5)
    assert during.error_rate > 0.05  # the load balancer still sends web-1 a quarter
    after = sim.advance(6.0)
    assert after.error_rate == 0.0
    assert after.node("web-2").utilization == pytest.approx(2 / 3, abs=0.02)  # 2000/3 per server
    assert after.throughput_rps == pytest.approx(2000.0, rel=0.05)


def test_the_same_seed_gives_the_same_snapshots():
    a = Simulation(tandem(3000.0), seed=7, mode=AGGREGATE)
    b = Simulation(tandem(3000.0), seed=7, mode=AGGREGATE)
    c = Simulation(tandem(3000.0), seed=8, mode=AGGREGATE)
    for _ in range(5):
        sa, sb, sc = a.advance(0.3), b.advance(0.3), c.advance(0.3)
        assert sa == sb
    assert sa.series != sc.series or sa.latency != sc.latency


def test_the_mode_switches_at_the_threshold_with_hysteresis():
    sim = Simulation(single(1000.0, 64), seed=1)
    assert sim.advance(0.5).mode == PER_REQUEST
    below, above = PER_REQUEST_BELOW_RPS, AGGREGATE_ABOVE_RPS
    steps = [
        (above - 1, PER_REQUEST),  # not yet above the threshold
        (above + 1, AGGREGATE),
        ((below + above) / 2, AGGREGATE),  # inside the gap: stays
        (below - 1, PER_REQUEST),
        ((below + above) / 2, PER_REQUEST),  # inside the gap: stays
        (1_000_000, AGGREGATE),
    ]
    for rps, mode in steps:
        sim.apply(SetTraffic(rps))
        snapshot = sim.advance(0.3)
        assert snapshot.mode == mode, rps
        assert snapshot.arrivals_rps > 0


def test_a_million_requests_per_second_are_served_in_aggregate_mode():
    """Twenty 64-worker servers at 1 ms each serve 1.28 M/s: at 1 M/s nothing fails."""
    web = [_node(f"web-{i}", NodeKind.WEB_SERVER, 64, 1.0, 1000) for i in range(20)]
    topology = Topology(
        name="Big",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            _node("lb", NodeKind.LOAD_BALANCER, 256, 0.2, 10_000),
            *web,
        ),
        links=(("dns", "lb"), *(("lb", w.id) for w in web)),
        traffic=Traffic(rps=1_000_000),
    )
    snapshot = Simulation(topology, seed=1).advance(2.0)
    assert snapshot.mode == AGGREGATE
    assert snapshot.throughput_rps == pytest.approx(1_000_000, rel=0.01)
    assert snapshot.error_rate == 0.0
    assert snapshot.node("web-3").utilization == pytest.approx(
        1_000_000 / 20 * 0.001 / 64, abs=0.01
    )


def test_several_data_centers_stay_per_request():
    """Aggregate mode models one data center; asking for it with more is refused clearly."""
    from pathlib import Path

    import yaml

    from architect.sim.loader import load_topology

    data = yaml.safe_load(Path("docs/examples/two-data-centers.yaml").read_text())
    with pytest.raises(ValueError, match="one data center"):
        Simulation(load_topology(data), mode=AGGREGATE)
    data["traffic"]["rps"] = 50_000
    assert Simulation(load_topology(data)).advance(0.2).mode == PER_REQUEST
