"""Aggregate mode with constant service times, against per-request mode and theory.

Issue #8 point 8: with constant service, aggregate mode used the Allen–Cunneen scaling
of the M/M/c wait and was +4.4 % (mean) / +5.1 % (p99) off per-request mode for a round
robin to four 4-worker stations at utilisation 0.9. It now takes the exact reduction of
a c-worker constant-service station to an E_m/D/1 queue (``flows/constant.py``); here

- M/D/1 against the exact closed forms: the Pollaczek–Khinchine mean and Erlang's
  waiting-time distribution P(W <= x) = (1 − rho) Σ_{k <= x} (rho (k − x))^k / k! e^(−rho (k − x));
- the E_m/D/1 mean against Lindley's recursion run directly (no engine, no formula);
- both modes on M/D/1 (0.8), M/D/4 (0.8) and the round robin over 4 × 4 workers (0.9), mean and p99
  within ±3 %, each mode's run as long as test_aggregate.py's (about 100,000 requests).
"""

from __future__ import annotations

import functools
import math
import random
from decimal import Decimal, getcontext

import pytest

from architect.sim.flows.aggregate import AGGREGATE, PER_REQUEST
from architect.sim.flows.constant import constant_wait, mean_wait
from architect.sim.model.topology import Network, NodeSpec, Topology, Traffic
from architect.sim.snapshot import NodeKind

from helpers.measure import Run, run

NO_LIMIT = 10**9
TOLERANCE = 0.03


# -- theory -----------------------------------------------------------------------


def md1_wait_cdf(x: float, rho: float) -> float:
    """Erlang's P(W <= x) for M/D/1 with D = 1 (exact; Decimal for the alternating sum)."""
    getcontext().prec = 60
    r, t = Decimal(str(rho)), Decimal(str(x))
    total = Decimal(0)
    for k in range(int(x) + 1):
        a = r * (k - t)
        total += (a**k if k else Decimal(1)) / math.factorial(k) * (-a).exp()
    return float((1 - r) * total)


def md1_sojourn_quantile(rho: float, q: float) -> float:
    """The q-quantile of the M/D/1 sojourn (wait + D) in units of D."""
    low, high = 0.0, 200.0
    for _ in range(50):
        middle = (low + high) / 2
        low, high = (middle, high) if md1_wait_cdf(middle, rho) < q else (low, middle)
    return 1.0 + low


def model_sojourn_quantile(phases: int, rho: float, q: float) -> float:
    """The q-quantile of 1 + (wait with probability p, Exp(gamma)) in units of D."""
    p, gamma = constant_wait(phases, rho)
    return 1.0 + (math.log(p / (1.0 - q)) / gamma if p > 1.0 - q else 0.0)


def lindley_mean_wait(phases: int, rho: float, customers: int, seed: int) -> float:
    """E[W] of E_m/D/1 (D = 1) by Lindley's recursion W' = max(0, W + 1 − A)."""
    rng = random.Random(seed)
    rate = phases * rho
    wait = total = 0.0
    warm = customers // 10
    for n in range(customers):
        gap = -math.log(math.prod(1.0 - rng.random() for _ in range(phases))) / rate
        wait = max(0.0, wait + 1.0 - gap)
        if n >= warm:
            total += wait
    return total / (customers - warm)


@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9, 0.95])
def test_md1_matches_the_exact_closed_forms(rho: float):
    assert mean_wait(1, rho) == pytest.approx(rho / (2 * (1 - rho)), rel=1e-12)
    exact = md1_sojourn_quantile(rho, 0.99)
    assert model_sojourn_quantile(1, rho, 0.99) == pytest.approx(exact, rel=0.01)


@pytest.mark.parametrize(("phases", "rho"), [(4, 0.8), (4, 0.9), (16, 0.9), (64, 0.95)])
def test_em_d1_mean_matches_lindleys_recursion(phases: int, rho: float):
    """Spitzer's series against the recursion run for 400,000 customers (sojourn ±1 %)."""
    simulated = lindley_mean_wait(phases, rho, 400_000, seed=phases)
    assert 1.0 + mean_wait(phases, rho) == pytest.approx(1.0 + simulated, rel=0.01)


# -- both modes -------------------------------------------------------------------


def _station(node_id: str, kind: NodeKind, workers: int, service_ms: float) -> NodeSpec:
    return NodeSpec(
        id=node_id,
        kind=kind,
        workers=workers,
        service_ms=service_ms,
        service_dist="constant",
        queue_limit=NO_LIMIT,
    )


def round_robin(rps: float, webs: int, workers: int) -> Topology:
    """DNS -> LB (64 workers, 0.01 ms) -> round robin over ``webs`` stations of 1 ms."""
    web = [_station(f"web-{i}", NodeKind.WEB_SERVER, workers, 1.0) for i in range(1, webs + 1)]
    return Topology(
        name="Round robin, constant service",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            _station("lb", NodeKind.LOAD_BALANCER, 64, 0.01),
            *web,
        ),
        links=(("dns", "lb"), *(("lb", w.id) for w in web)),
        traffic=Traffic(rps=rps),
        network=Network(latency_ms=0.0),
    )


SCENARIOS = {  # (topology, simulated seconds per seed, theory (mean, p99) in ms or None)
    "md1-0.8": (round_robin(800.0, 1, 1), 120.0, 0.8),
    "md4-0.8": (round_robin(3200.0, 1, 4), 12.0, None),
    "rr-4x4-0.9": (round_robin(14_400.0, 4, 4), 3.0, None),
}
SEEDS = (1, 2, 3)
WARM_UP_S = 2.0
AGGREGATE_MEASURE_S = 10.0


@functools.cache
def pooled(name: str, mode: str) -> Run:
    topology, measure_s, _ = SCENARIOS[name]
    if mode == AGGREGATE:  # nearly noiseless, and its cost is per 1 ms step, not per request
        runs = [run(topology, SEEDS[0], WARM_UP_S, AGGREGATE_MEASURE_S, mode=mode)]
    else:
        runs = [run(topology, seed, WARM_UP_S, measure_s, mode=mode) for seed in SEEDS]
    return Run(
        sum(r.mean_ms for r in runs) / len(runs),
        sum(r.p99_ms for r in runs) / len(runs),
        {},
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_aggregate_matches_per_request_with_constant_service(name: str):
    aggregate, per_request = pooled(name, AGGREGATE), pooled(name, PER_REQUEST)
    summary = f"{name}: aggregate {aggregate}, per request {per_request}"
    print(summary)
    assert abs(aggregate.mean_ms - per_request.mean_ms) <= TOLERANCE * per_request.mean_ms, summary
    assert abs(aggregate.p99_ms - per_request.p99_ms) <= TOLERANCE * per_request.p99_ms, summary
    rho = SCENARIOS[name][2]
    if rho is not None:  # M/D/1 in ms (D = 1 ms), plus the load balancer's 0.01 ms
        assert aggregate.mean_ms == pytest.approx(1.01 + rho / (2 * (1 - rho)), rel=TOLERANCE)
        assert aggregate.p99_ms == pytest.approx(
            0.01 + md1_sojourn_quantile(rho, 0.99), rel=TOLERANCE
        )
