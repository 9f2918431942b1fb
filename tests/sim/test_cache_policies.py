"""A running cache's policies: what a write does to its copy (``writes``), and the TTL and
eviction policy ``set_cache`` changes; hit ratio and stale reads against renewal theory."""

from __future__ import annotations

import math
from random import Random
from typing import Any

import pytest

from architect.sim import commands as c
from architect.sim.commands import CommandError
from architect.sim.engine.keys import ZipfKeys
from architect.sim.loader import load_topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind, Snapshot

RPS, READ_RATIO, KEYS = 1000.0, 0.95, 100_000


def _site(**cache: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "name": "cached",
        "traffic": {"rps": RPS, "read_ratio": READ_RATIO, "keys": KEYS},
        "nodes": [
            {"id": "dns", "kind": "dns"},
            {"id": "web-1", "kind": "web_server", "workers": 64, "service_ms": 1},
            {"id": "db", "kind": "database", "workers": 64, "service_ms": 1},
            {"id": "cache", "kind": "cache", "workers": 16, "service_ms": 0.5, **cache},
        ],
        "links": [["dns", "web-1"], ["web-1", "db"], ["web-1", "cache"]],
    }


def _run(sim: Simulation, seconds: int) -> Snapshot:
    snapshot = sim.advance(1.0)
    while sim.now < seconds:
        snapshot = sim.advance(1.0)
    return snapshot


def test_by_default_a_write_drops_the_copy_and_no_read_is_stale():
    snapshot = _run(Simulation(load_topology(_site()), seed=1), 10)
    assert snapshot.stale_reads == 0


def _theory(ttl: float) -> tuple[float, float]:
    """(hit ratio, stale reads per second) of a TTL cache with room for every key it holds:
    key k read at λ_k and written at μ_k (Poisson) has hit ratio λ_k T / (1 + λ_k T) and
    λ_k (T − (1 − e^{−μ_k T}) / μ_k) stale hits per λ_k T + 1 reads (a cycle: one miss, its hits)."""
    reads, writes = RPS * READ_RATIO, RPS * (1 - READ_RATIO)
    hits = stale = 0.0
    for p in ZipfKeys(KEYS, 1.0, Random(0)).probabilities():
        lam, mu = reads * p, writes * p
        cycle = lam * ttl + 1
        hits += lam * (lam * ttl / cycle)
        stale += lam * lam * (ttl - (1 - math.exp(-mu * ttl)) / mu) / cycle
    return hits / reads, stale


def test_with_writes_expire_hits_and_stale_reads_follow_the_ttl():
    """20 s at 1,000 req/s (5 % writes), TTL 3 s: the hit ratio of seconds 6–20 within 0.02 of theory
    (about 10 standard errors of 15,000 lookups: the Zipf keys' bursts widen it), and the
    stale reads of those seconds within 20 % (they come in bursts on the hottest keys)."""
    sim = Simulation(load_topology(_site(ttl_s=3, writes="expire")), seed=1)
    early = _run(sim, 5)
    late = _run(sim, 20)
    hits = [dict(p.hit_ratios)["cache"] for p in late.series if p.t > 5]
    hit_ratio, stale_per_s = _theory(3.0)
    assert math.fsum(hits) / len(hits) == pytest.approx(hit_ratio, abs=0.02)
    assert late.stale_reads - early.stale_reads == pytest.approx(15 * stale_per_s, rel=0.2)


def test_set_cache_changes_the_ttl_and_the_policy_and_says_so():
    sim = Simulation(load_topology(_site()), seed=1)
    sim.apply(c.SetCache(ttl_s=5.0, eviction="lfu"))
    snapshot = sim.advance(1.0)
    assert (snapshot.settings.cache_ttl_s, snapshot.settings.cache_eviction) == (5.0, "lfu")
    assert any(e.kind == EventKind.CACHE_SET and e.value == 5.0 for e in snapshot.events)
    sim.apply(c.SetCache(eviction="fifo"))  # the TTL stays
    assert sim.advance(1.0).settings.cache_ttl_s == 5.0


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (c.SetCache(ttl_s=0.5), "bad_cache_ttl"),
        (c.SetCache(eviction="random"), "unknown_eviction"),
    ],
)
def test_set_cache_refuses_what_it_cannot_do(command: c.SetCache, code: str):
    sim = Simulation(load_topology(_site()), seed=1)
    with pytest.raises(CommandError) as caught:
        sim.apply(command)
    assert caught.value.code == code


def test_set_cache_needs_a_cache():
    site = _site()
    site["nodes"] = site["nodes"][:3]
    site["links"] = site["links"][:2]
    with pytest.raises(CommandError) as caught:
        Simulation(load_topology(site), seed=1).apply(c.SetCache(ttl_s=5.0))
    assert caught.value.code == "no_cache"
