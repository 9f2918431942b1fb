"""Periodic control loops start at a random phase drawn from the seed (issue #8 point 5).

A load balancer checks its backends every ``health_check_s`` and the autoscaler looks
every ``interval_s``; if both started at t = 0, a failure scripted at a whole second
would always be noticed at once. With a random phase, a failure at a fixed moment waits
for the next check a time that, over seeds, is uniform on [0, interval): tested with a
Kolmogorov–Smirnov statistic against that uniform law. A seed still repeats exactly.
"""

from __future__ import annotations

import math
from dataclasses import replace

from architect.sim.commands import FailNode
from architect.sim.loader import load_topology
from architect.sim.model.topology import Autoscaling, Topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind

HEALTH_CHECK_S = 2.0
FAIL_AT_S = 10.0
KS_CRITICAL_5_PERCENT = 1.36  # / sqrt(n): the statistic's 95 % point for large n


def _balanced(rps: float) -> Topology:
    return load_topology(
        {
            "version": 1,
            "name": "Two web servers",
            "traffic": {"rps": rps},
            "nodes": [
                {"id": "dns", "kind": "dns"},
                {"id": "lb", "kind": "load_balancer", "health_check_s": HEALTH_CHECK_S},
                {"id": "web-1", "kind": "web_server", "size": "m", "service_ms": 20},
                {"id": "web-2", "kind": "web_server", "size": "m", "service_ms": 20},
                {"id": "db", "kind": "database", "size": "m", "service_ms": 5},
            ],
            "links": [
                ["dns", "lb"],
                ["lb", "web-1"],
                ["lb", "web-2"],
                ["web-1", "db"],
                ["web-2", "db"],
            ],
        }
    )


def ks_uniform(values: list[float], high: float) -> float:
    """sup |F_n(x) − x / high| of ``values`` against the uniform law on [0, high)."""
    ordered = sorted(v / high for v in values)
    n = len(ordered)
    return max(max((i + 1) / n - u, u - i / n) for i, u in enumerate(ordered))


def _detection_delay(seed: int) -> float:
    sim = Simulation(_balanced(20.0), seed=seed)
    sim.advance(FAIL_AT_S)
    sim.apply(FailNode("web-1"))
    sim.advance(HEALTH_CHECK_S + 0.1)
    (removed,) = [e for e in sim.log if e.kind == EventKind.BACKEND_REMOVED]
    assert abs(removed.since - FAIL_AT_S) < 1e-9
    return removed.t - removed.since


def test_a_failure_waits_a_uniform_time_for_the_next_health_check():
    delays = [_detection_delay(seed) for seed in range(1, 201)]
    assert all(0.0 <= d < HEALTH_CHECK_S for d in delays)
    statistic = ks_uniform(delays, HEALTH_CHECK_S)
    assert statistic < KS_CRITICAL_5_PERCENT / math.sqrt(len(delays)), statistic
    assert abs(sum(delays) / len(delays) - HEALTH_CHECK_S / 2) < 0.1  # the mean wait: 1 s


def test_the_phase_repeats_for_a_seed_and_differs_between_seeds():
    assert _detection_delay(7) == _detection_delay(7)
    runs = [Simulation(_balanced(50.0), seed=3) for _ in range(2)]
    for sim in runs:
        sim.advance(FAIL_AT_S)
        sim.apply(FailNode("web-2"))
    assert runs[0].advance(3.0) == runs[1].advance(3.0)
    assert len({_detection_delay(seed) for seed in range(1, 11)}) == 10


def test_the_autoscaler_looks_at_a_random_phase_too():
    """At 1.5× the target from the start, the first look only starts measuring; the
    second, one interval later, scales out: at phase + interval, phase uniform."""
    interval = 1.0
    policy = Autoscaling(enabled=True, min=2, max=4, target_utilization=0.5, interval_s=interval)
    topology = replace(_balanced(600.0), autoscaling=policy)  # 600 × 20 ms on 16 workers: 75 %
    phases = []
    for seed in range(1, 61):
        sim = Simulation(topology, seed=seed)
        sim.advance(2 * interval)
        (first, *_) = [e for e in sim.log if e.kind == EventKind.SCALED_OUT]
        phases.append(first.t - interval)
    assert all(0.0 <= p < interval for p in phases)
    statistic = ks_uniform(phases, interval)
    assert statistic < KS_CRITICAL_5_PERCENT / math.sqrt(len(phases)), statistic
