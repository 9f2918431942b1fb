"""What a CDN costs: GB transferred in and out × the price, and which assets it serves.

Every expected figure is worked out from the price list (``model.costs``) and the Zipf
weights by hand, never taken from the engine's output."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from architect.sim import commands as c
from architect.sim.commands import CommandError
from architect.sim.engine.assets import scope_keys, scope_share
from architect.sim.model import presets
from architect.sim.model.costs import SECONDS_PER_MONTH, cdn_per_month
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind

GB_A_MONTH_AT_ONE_ASSET_A_SECOND = SECONDS_PER_MONTH * 10 / 1e6  # 10 KB each: 26.28 GB


def test_a_cdn_is_billed_by_the_gigabytes_it_sends_and_fetches():
    assert cdn_per_month(1.0) == pytest.approx(GB_A_MONTH_AT_ONE_ASSET_A_SECOND * 0.01)
    assert cdn_per_month(1.0) == pytest.approx(0.2628)  # 730 h × 3,600 s × 10 KB × $0.01/GB
    # a miss is transferred twice: in from the origin, out to the user
    assert cdn_per_month(100.0, 100.0) == pytest.approx(2 * cdn_per_month(100.0))
    assert cdn_per_month(1200.0) == pytest.approx(315.36)


def test_the_cdn_serves_the_most_requested_share_of_the_assets():
    assert scope_keys(0.01, 1_000_000) == 10_000
    assert scope_keys(0.0001, 1000) == 1  # at least one
    assert scope_keys(1.0, 7) == 7
    assert scope_share(100, 0.0, 25) == pytest.approx(0.25)  # uniform: a quarter of the keys
    # Zipf s = 1 over 4 keys: weights 1, 1/2, 1/3, 1/4 (total 25/12); the first two 3/2
    assert scope_share(4, 1.0, 2) == pytest.approx(1.5 / (25 / 12))
    assert scope_share(4, 1.0, 4) == 1.0


def _site(keys: int, zipf_s: float, rps: float = 400.0) -> Simulation:
    topology = presets.single_server(rps)
    traffic = replace(topology.traffic, static_ratio=1.0, keys=keys, zipf_s=zipf_s)
    sim = Simulation(replace(topology, traffic=traffic), seed=1)
    sim.apply(c.AddCdn())
    return sim


def _cdn(sim: Simulation, seconds: float = 0.5):
    return next(n for n in sim.advance(seconds).nodes if n.kind == NodeKind.CDN)


def test_a_cdn_costs_what_it_transfers_for_the_assets_it_serves():
    """4 assets asked for 100 times a second each, kept an hour: a copy serves 360,000
    hits per fetch, so the bill is the assets sent; half the assets, half the bill."""
    sim = _site(keys=4, zipf_s=0.0)
    fetched = 400 / (1 + 100 * 3600)  # per second: one miss per copy's life, per asset
    assert _cdn(sim).cost_per_month == pytest.approx(cdn_per_month(400, fetched))
    sim.apply(c.SetCdn(0.5))
    assert _cdn(sim).cost_per_month == pytest.approx(cdn_per_month(200, fetched / 2))


def test_an_asset_asked_for_less_often_than_the_ttl_is_billed_twice():
    """1,000 assets at 0.0001 requests a second each, kept an hour: a·ttl = 0.36, so a
    request hits with 0.36 / 1.36 and the rest are fetched, in and out."""
    sim = _site(keys=1000, zipf_s=0.0, rps=0.1)
    hits = 0.36 / 1.36
    expected = cdn_per_month(0.1, 0.1 * (1 - hits))
    assert _cdn(sim).cost_per_month == pytest.approx(expected, rel=1e-3)


def test_assets_off_the_cdn_go_straight_to_the_origin():
    """Uniform popularity, a tenth of the assets on the CDN: it answers a tenth of the
    4,000 requests a second (Poisson: 400 a second, one standard deviation 20 in a second)."""
    sim = _site(keys=1000, zipf_s=0.0, rps=4000.0)
    sim.apply(c.SetCdn(0.1))
    assert _cdn(sim, 3.0).throughput_rps == pytest.approx(400, abs=80)


def test_set_cdn_needs_a_cdn_and_a_share_in_range():
    sim = Simulation(presets.single_server(10), seed=1)
    with pytest.raises(CommandError) as caught:
        sim.apply(c.SetCdn(0.5))
    assert caught.value.code == "no_cdn"
    sim.apply(c.AddCdn())
    for share in (0.0, 1.5, math.nan):
        with pytest.raises(CommandError) as caught:
            sim.apply(c.SetCdn(share))
        assert caught.value.code == "bad_cdn_assets"
