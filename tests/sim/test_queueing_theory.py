"""The engine against queueing theory: M/M/1, M/M/c, a Jackson tandem, round robin, Little's law.

The formulas are the textbooks' (``helpers.queueing``), written apart from the engine,
and checked here against the M/M/c chain solved numerically.

Method: each scenario runs ``SEEDS`` independent seeds; each seed warms up, then
measures a long stretch with the cumulative measures (``helpers.measure.run``:
``Window.cumulative`` for end-to-end latency, ``Station.areas`` for utilisation, and
an ``Observer`` for per-station sojourn and population), never the 1 s panel window.
Across seeds we form the mean and a 95 % Student-t confidence interval, and ask two
things of every figure (see ``assert_matches``):

- the estimate is within a tolerance of the formula (mean and p99 relative,
  utilisation absolute): a bias smaller than the tolerance passes;
- the 95 % interval is no wider than the tolerance on either side: the runs are long
  enough that an error as large as the tolerance would show, not hide in the noise.

Runs are deterministic per seed, so a pass is repeatable; the tolerances are
about three standard errors, so a change to how the engine draws its random
numbers should not turn a correct engine red.

Network latency is zero throughout, and queue limits are high enough never to
reject: the formulas are for infinite-buffer queues.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Callable, Sequence

import pytest

from architect.sim.model.topology import Network, NodeSpec, Topology, Traffic
from architect.sim.snapshot import NodeKind

from helpers.measure import Run, run
from helpers.queueing import (
    birth_death,
    erlang_c,
    erlang_interarrivals,
    gm1_sigma,
    mm1_sojourn_mean,
    mm1_sojourn_quantile,
    mmc_sojourn_mean,
    mmc_sojourn_quantile,
    mmc_sojourn_tail,
)

SEEDS = tuple(range(1, 11))
T_975 = {9: 2.262, 19: 2.093}  # Student t, two-sided 95 %, by degrees of freedom
NO_LIMIT = 10**9
MEAN_TOLERANCE = 0.02
P99_TOLERANCE = 0.03
UTILISATION_TOLERANCE = 0.005  # absolute
LITTLE_TOLERANCE = 0.02


# -- topologies -----------------------------------------------------------------


def _node(node_id: str, kind: NodeKind, workers: int, service_ms: float) -> NodeSpec:
    return NodeSpec(
        id=node_id, kind=kind, workers=workers, service_ms=service_ms, queue_limit=NO_LIMIT
    )


def single_queue(rps: float, workers: int, service_ms: float) -> Topology:
    """DNS -> one web server: an M/M/c queue."""
    return Topology(
        name="M/M/c",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            _node("web", NodeKind.WEB_SERVER, workers, service_ms),
        ),
        links=(("dns", "web"),),
        traffic=Traffic(rps=rps),
        network=Network(latency_ms=0.0),
    )


TANDEM_RPS = 700.0
TANDEM = {  # id: (kind, workers, service_ms); utilisations 0.35, 0.70, 0.525
    "lb": (NodeKind.LOAD_BALANCER, 1, 0.5),
    "web": (NodeKind.WEB_SERVER, 4, 4.0),
    "db": (NodeKind.DATABASE, 2, 1.5),
}


def tandem() -> Topology:
    """DNS -> load balancer -> one web server -> database: a Jackson tandem of M/M/c queues."""
    nodes = [_node(i, kind, c, ms) for i, (kind, c, ms) in TANDEM.items()]
    return Topology(
        name="Tandem",
        nodes=(NodeSpec(id="dns", kind=NodeKind.DNS), *nodes),
        links=(("dns", "lb"), ("lb", "web"), ("web", "db")),
        traffic=Traffic(rps=TANDEM_RPS),
        network=Network(latency_ms=0.0),
    )


ROUND_ROBIN_RPS = 2400.0
ROUND_ROBIN_SERVERS = 4
ROUND_ROBIN_LB_MS = 0.1  # utilisation 0.24
ROUND_ROBIN_WEB_MS = 1.0  # one worker each: utilisation 0.6


def round_robin() -> Topology:
    """DNS -> load balancer (M/M/1) -> round robin over four single-worker web servers."""
    web = [
        _node(f"web-{i}", NodeKind.WEB_SERVER, 1, ROUND_ROBIN_WEB_MS)
        for i in range(1, ROUND_ROBIN_SERVERS + 1)
    ]
    return Topology(
        name="Round robin",
        nodes=(
            NodeSpec(id="dns", kind=NodeKind.DNS),
            _node("lb", NodeKind.LOAD_BALANCER, 1, ROUND_ROBIN_LB_MS),
            *web,
        ),
        links=(("dns", "lb"), *(("lb", w.id) for w in web)),
        traffic=Traffic(rps=ROUND_ROBIN_RPS),
        network=Network(latency_ms=0.0),
    )


# -- scenarios ------------------------------------------------------------------


@functools.cache
def runs(name: str) -> tuple[Run, ...]:
    """Every seed of one scenario, run once per test session."""
    scenario = SCENARIOS[name]
    return tuple(scenario(seed) for seed in SEEDS)


def _mm1(rho: float, requests: int, warm_up_s: float) -> Callable[[int], Run]:
    rps = 1000.0 * rho  # service 1 ms: mu = 1000/s
    return lambda seed: run(single_queue(rps, 1, 1.0), seed, warm_up_s, requests / rps)


def _mmc(c: int, rho: float, requests: int) -> Callable[[int], Run]:
    rps = 1000.0 * rho * c
    return lambda seed: run(single_queue(rps, c, 1.0), seed, 1.0, requests / rps)


SCENARIOS: dict[str, Callable[[int], Run]] = {
    "mm1-0.7": _mm1(0.7, 100_000, 1.0),
    "mm1-0.9": _mm1(0.9, 250_000, 4.0),
    "mm4-0.8": _mmc(4, 0.8, 150_000),
    "mm8-0.8": _mmc(8, 0.8, 100_000),
    "tandem": lambda seed: run(tandem(), seed, 1.0, 60_000 / TANDEM_RPS, observed=True),
    "round-robin": lambda seed: run(
        round_robin(), seed, 1.0, 60_000 / ROUND_ROBIN_RPS, observed=True
    ),
}


def confidence_interval(values: Sequence[float]) -> tuple[float, float]:
    """(mean, half-width of the 95 % Student-t interval) across seeds."""
    n = len(values)
    return statistics.fmean(values), T_975[n - 1] * statistics.stdev(values) / math.sqrt(n)


def assert_matches(
    values: Sequence[float], theory: float, tolerance: float, *, relative: bool = True
) -> None:
    """Estimate within tolerance of theory, and precise enough for that to mean something."""
    mean, half_width = confidence_interval(values)
    allowed = tolerance * theory if relative else tolerance
    summary = (
        f"estimate {mean:.5g} ± {half_width:.3g} (95 % CI), "
        f"theory {theory:.5g}, tolerance {allowed:.3g}"
    )
    print(summary)  # shown with ``pytest -rP`` or on failure
    assert abs(mean - theory) <= allowed, summary
    assert half_width <= allowed, f"too few or too short runs to judge: {summary}"


# -- M/M/1 ----------------------------------------------------------------------


# At rho = 0.9 the sample mean converges slowly: Whitt (1989) gives the relative
# asymptotic variance of the time-average number in an M/M/1 queue as
# 2 rho (1 + rho) / (1 - rho)^4 / L^2 = 422 service times, so ±2 % at three
# standard errors needs about 8 million requests. The time budget allows 2.5
# million; the observed standard errors there (1.6 % on the mean, 3.1 % on p99)
# set the tolerances at about three of them: ±5 % and ±9 %.
HEAVY_MEAN_TOLERANCE = 0.05
HEAVY_P99_TOLERANCE = 0.09


@pytest.mark.parametrize(
    ("name", "rho", "mean_tolerance", "p99_tolerance"),
    [
        ("mm1-0.7", 0.7, MEAN_TOLERANCE, P99_TOLERANCE),
        ("mm1-0.9", 0.9, HEAVY_MEAN_TOLERANCE, HEAVY_P99_TOLERANCE),
    ],
)
def test_mm1_mean_p99_and_utilisation(
    name: str, rho: float, mean_tolerance: float, p99_tolerance: float
):
    """M/M/1: W = 1/(mu - lambda), p99 = ln(100)/(mu - lambda), utilisation rho."""
    lam, mu = 1000.0 * rho, 1000.0
    results = runs(name)
    assert_matches([r.mean_ms for r in results], 1000 * mm1_sojourn_mean(lam, mu), mean_tolerance)
    p99 = 1000 * mm1_sojourn_quantile(lam, mu, 0.99)
    assert_matches([r.p99_ms for r in results], p99, p99_tolerance)
    utilisation = [r.utilisation["web"] for r in results]
    assert_matches(utilisation, rho, UTILISATION_TOLERANCE, relative=False)


# -- M/M/c ----------------------------------------------------------------------


def test_mmc_formulas_reduce_to_mm1_for_one_worker():
    """With c = 1, Erlang C is rho and the M/M/c sojourn tail is e^{-(mu - lambda) t}."""
    lam, mu = 700.0, 1000.0
    assert erlang_c(1, lam, mu) == pytest.approx(0.7)
    assert mmc_sojourn_mean(1, lam, mu) == pytest.approx(mm1_sojourn_mean(lam, mu))
    for t in (0.001, 0.005, 0.02):
        assert mmc_sojourn_tail(1, lam, mu, t) == pytest.approx(math.exp(-(mu - lam) * t))
    assert mmc_sojourn_quantile(1, lam, mu, 0.99) == pytest.approx(
        mm1_sojourn_quantile(lam, mu, 0.99)
    )


def test_mmc_tail_matches_its_integral_form():
    """The closed-form M/M/c tail agrees with numerical integration of its definition."""
    c, lam, mu = 4, 3200.0, 1000.0
    waiting, d, t = erlang_c(c, lam, mu), c * mu - lam, 0.004
    steps = 20_000
    h = t / steps
    integral = sum(
        mu * math.exp(-mu * s) * waiting * math.exp(-d * (t - s)) * h
        for s in ((i + 0.5) * h for i in range(steps))
    )
    assert mmc_sojourn_tail(c, lam, mu, t) == pytest.approx(math.exp(-mu * t) + integral, rel=1e-6)


@pytest.mark.parametrize(("c", "rho"), [(1, 0.7), (1, 0.9), (4, 0.8), (8, 0.8), (2, 0.35)])
def test_erlang_c_and_the_mmc_mean_match_the_chain_solved_numerically(c: int, rho: float):
    """Erlang C is the chance the M/M/c chain is at c or more; W is L / lambda (Little)."""
    mu = 1000.0
    lam = rho * c * mu
    waiting, number = birth_death(lam, mu, c)
    assert erlang_c(c, lam, mu) == pytest.approx(waiting, rel=1e-9)
    assert mmc_sojourn_mean(c, lam, mu) == pytest.approx(number / lam, rel=1e-9)


def test_the_gm1_root_is_rho_for_poisson_arrivals_and_falls_as_they_grow_regular():
    """G/M/1 with Poisson arrivals is M/M/1 (sigma = rho); Erlang-k gaps, more regular for
    larger k, give a smaller sigma, down to D/M/1's (A*(s) = e^{-s/lambda}) in the limit."""
    lam, mu = 600.0, 1000.0
    assert gm1_sigma(erlang_interarrivals(1, lam), mu) == pytest.approx(lam / mu, rel=1e-9)
    sigmas = [gm1_sigma(erlang_interarrivals(k, lam), mu) for k in (1, 2, 4, 16, 256)]
    deterministic = gm1_sigma(lambda s: math.exp(-s / lam), mu)
    assert sigmas == sorted(sigmas, reverse=True)
    assert sigmas[-1] == pytest.approx(deterministic, rel=1e-2)
    assert deterministic < sigmas[-1]


@pytest.mark.parametrize(("name", "c"), [("mm4-0.8", 4), ("mm8-0.8", 8)])
def test_mmc_mean_p99_and_utilisation(name: str, c: int):
    """M/M/c (Erlang C): W = C/(c mu - lambda) + 1/mu; p99 solves P(T > t) = 0.01."""
    lam, mu = 800.0 * c, 1000.0
    results = runs(name)
    assert_matches(
        [r.mean_ms for r in results], 1000 * mmc_sojourn_mean(c, lam, mu), MEAN_TOLERANCE
    )
    p99 = 1000 * mmc_sojourn_quantile(c, lam, mu, 0.99)
    assert_matches([r.p99_ms for r in results], p99, P99_TOLERANCE)
    assert_matches(
        [r.utilisation["web"] for r in results], 0.8, UTILISATION_TOLERANCE, relative=False
    )


# -- networks -------------------------------------------------------------------


def test_jackson_tandem_latency_is_the_sum_of_its_stations():
    """Jackson tandem: each station sees Poisson arrivals (Burke), so W = sum of M/M/c W's."""
    results = runs("tandem")
    total = 0.0
    for node_id, (_, c, service_ms) in TANDEM.items():
        mu = 1000.0 / service_ms
        theory = mmc_sojourn_mean(c, TANDEM_RPS, mu)
        total += theory
        assert_matches([r.sojourn_ms[node_id] for r in results], 1000 * theory, MEAN_TOLERANCE)
        rho = TANDEM_RPS / (c * mu)
        assert_matches(
            [r.utilisation[node_id] for r in results], rho, UTILISATION_TOLERANCE, relative=False
        )
    assert_matches([r.mean_ms for r in results], 1000 * total, MEAN_TOLERANCE)


def test_round_robin_servers_are_erlang4_over_m1():
    """Round robin deals every 4th request to a server: Erlang-4 arrivals, a GI/M/1 queue.

    The load balancer's departures are Poisson (Burke), so each web server's
    interarrival time is the sum of four Exp(lambda) gaps. Such arrivals are
    smoother than Poisson, so each server's sojourn is exactly exponential with
    rate mu (1 - sigma) and strictly shorter than the M/M/1 bound 1/(mu - lambda/4).
    The four servers are alike, so their sojourns are pooled (one server alone
    would need four times the run for the same ±2 %).
    """
    lam, mu = ROUND_ROBIN_RPS, 1000.0 / ROUND_ROBIN_WEB_MS
    sigma = gm1_sigma(erlang_interarrivals(ROUND_ROBIN_SERVERS, lam / ROUND_ROBIN_SERVERS), mu)
    web_w = 1.0 / (mu * (1.0 - sigma))
    lb_w = mm1_sojourn_mean(lam, 1000.0 / ROUND_ROBIN_LB_MS)
    upper = mm1_sojourn_mean(lam / ROUND_ROBIN_SERVERS, mu)
    results = runs("round-robin")
    web_ids = [f"web-{i}" for i in range(1, ROUND_ROBIN_SERVERS + 1)]
    pooled = [statistics.fmean(r.sojourn_ms[i] for i in web_ids) for r in results]
    assert_matches(pooled, 1000 * web_w, MEAN_TOLERANCE)
    assert max(pooled) < 1000 * upper
    each = [statistics.fmean(r.utilisation[i] for i in web_ids) for r in results]
    assert_matches(each, 0.6, UTILISATION_TOLERANCE, relative=False)
    for node_id in web_ids:  # every server gets its quarter (one alone is noisier: no CI)
        busy = statistics.fmean(r.utilisation[node_id] for r in results)
        assert abs(busy - 0.6) <= UTILISATION_TOLERANCE, (node_id, busy)
    assert_matches([r.sojourn_ms["lb"] for r in results], 1000 * lb_w, MEAN_TOLERANCE)
    assert_matches([r.mean_ms for r in results], 1000 * (lb_w + web_w), MEAN_TOLERANCE)
    assert max(r.mean_ms for r in results) < 1000 * (lb_w + upper)


@pytest.mark.parametrize("name", ["tandem", "round-robin"])
def test_littles_law_on_every_node(name: str):
    """Little's law: time-average number in a station L = lambda W, at every station."""
    results = runs(name)
    assert results[0].little and set(results[0].little) == set(results[0].utilisation)
    for node_id in results[0].little:
        sampled = sum(r.little[node_id][0] for r in results)
        flow = sum(r.little[node_id][1] for r in results)
        assert sampled == pytest.approx(flow, rel=LITTLE_TOLERANCE), node_id
