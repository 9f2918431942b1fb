"""geoDNS with a TTL: after a center fails, users whose resolver still holds its address
fail until their copy expires. Copies are equally likely to be any age, so the share still
failing falls linearly from 1 to 0 over one TTL: rate × TTL ÷ 2 failed requests in all."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import yaml

from architect.sim.commands import FailDataCenter
from architect.sim.engine.geo import GeoDns
from architect.sim.loader import load_topology
from architect.sim.simulation import Simulation

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "two-data-centers.yaml"
TTL_S = 10.0
PER_SECOND = 2000  # lookups a second in the unit model


def _geo(ttl_s: float, up: dict[str, bool]) -> GeoDns:
    return GeoDns(
        ["us-east", "asia"],
        (("us-east", 1.0),),
        geo_routing=True,
        is_up=lambda center: up[center],
        rng=random.Random(7),
        ttl_s=ttl_s,
    )


def _failed_each_second(geo: GeoDns, up: dict[str, bool], fail_at: int, seconds: int) -> list[int]:
    failed = []
    for second in range(seconds):
        if second == fail_at:
            up["us-east"] = False
        count = 0
        for i in range(PER_SECOND):
            now = second + i / PER_SECOND
            count += geo.center_for("us-east", now) is None
        failed.append(count)
    return failed


def test_the_share_still_sent_to_the_dark_center_falls_linearly_over_one_ttl():
    up = {"us-east": True, "asia": True}
    failed = _failed_each_second(_geo(TTL_S, up), up, fail_at=2, seconds=16)
    assert failed[:2] == [0, 0]  # before the failure
    for k in range(int(TTL_S)):  # the k-th second after the failure
        expected = 1.0 - (k + 0.5) / TTL_S  # the mean of 1 - age/ttl over that second
        sd = math.sqrt(expected * (1.0 - expected) / PER_SECOND)
        assert failed[2 + k] / PER_SECOND == pytest.approx(expected, abs=4 * sd + 1e-3)
    assert failed[2 + int(TTL_S) :] == [0] * (16 - 2 - int(TTL_S))  # every copy expired
    assert sum(failed) == pytest.approx(PER_SECOND * TTL_S / 2, rel=0.03)


def test_without_a_ttl_the_switch_is_instant():
    up = {"us-east": True, "asia": True}
    assert sum(_failed_each_second(_geo(0.0, up), up, fail_at=2, seconds=5)) == 0


def test_a_center_outage_with_a_dns_ttl_fails_rate_times_ttl_over_two_requests():
    """In the engine: us-east's users (half of 600 req/s) fail for one TTL, ever fewer."""
    data = yaml.safe_load(EXAMPLE.read_text())
    data.setdefault("network", {})["dns_ttl_s"] = TTL_S
    sim = Simulation(load_topology(data), seed=3)
    sim.advance(5)
    sim.apply(FailDataCenter("us-east"))
    sim.window.reset_cumulative()
    sim.advance(TTL_S)
    during = sim.window.cumulative.failed
    sim.window.reset_cumulative()
    sim.advance(5)
    assert sim.window.cumulative.failed == 0  # every answer naming us-east has expired
    us_east_rps = 600 * 0.5
    assert during == pytest.approx(us_east_rps * TTL_S / 2, rel=0.15)
