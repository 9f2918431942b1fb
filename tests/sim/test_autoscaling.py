"""Autoscaling the web tier: servers follow the load, after a warm-up, within limits."""

from __future__ import annotations

import math

import pytest

from architect.sim.commands import (
    AddLoadBalancer,
    AddWebServer,
    CommandError,
    SeparateDatabase,
    SetAutoscaling,
    SetTraffic,
)
from architect.sim.model import presets
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind


def _autoscaled(rps: float, *, high: int = 10) -> Simulation:
    sim = Simulation(presets.single_server(rps), seed=1)
    for command in (
        SeparateDatabase(),
        AddWebServer(),
        AddLoadBalancer(),
        SetAutoscaling(True, 2, high, 0.6),
    ):
        sim.apply(command)
    return sim


def _web(snapshot) -> tuple[int, int]:
    """(web servers, of which in rotation)."""
    web = [n for n in snapshot.nodes if n.kind == "web_server"]
    return len(web), sum(n.in_rotation for n in web)


def test_a_spike_adds_servers_that_take_traffic_only_after_warming_up():
    sim = _autoscaled(300)
    sim.advance(60)
    sim.apply(SetTraffic(1500))
    sim.advance(15)  # the next look (every 10 s) has seen the overload
    total, serving = _web(sim.snapshot())
    assert total > serving == 2  # booting servers are not in rotation yet
    sim.advance(200)
    snapshot = sim.advance(20)
    total, serving = _web(snapshot)
    assert total == serving
    # 1500 req/s × 20 ms of work = 30 busy workers; at 60 % of 8 workers each: ≥ 7 servers.
    assert math.ceil(1500 * 0.020 / (0.6 * 8)) <= serving <= 10
    assert snapshot.error_rate == 0
    assert any(e.kind == EventKind.SCALED_OUT for e in snapshot.events)


def test_when_traffic_falls_it_scales_in_down_to_the_minimum():
    sim = _autoscaled(1500)
    sim.advance(250)
    busy = _web(sim.snapshot())[0]
    sim.apply(SetTraffic(100))
    snapshot = sim.advance(200)
    assert busy > 2
    assert _web(snapshot) == (2, 2)
    assert any(e.kind == EventKind.SCALED_IN for e in snapshot.events)


def test_it_never_goes_above_the_maximum():
    sim = _autoscaled(2500, high=4)
    snapshot = sim.advance(100)
    assert _web(snapshot)[0] == 4
    assert snapshot.error_rate > 0.2  # 4 servers cannot take it: the limit shows


def test_autoscaling_needs_a_load_balancer_and_a_sound_policy():
    sim = Simulation(presets.single_server())
    with pytest.raises(CommandError) as caught:
        sim.apply(SetAutoscaling(True))
    assert caught.value.code == "no_load_balancer"
    sim = _autoscaled(100)
    with pytest.raises(CommandError) as caught:
        sim.apply(SetAutoscaling(True, 5, 3, 0.6))
    assert caught.value.code == "bad_autoscaling"
