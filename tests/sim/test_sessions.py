"""A stateless web tier: sticky sessions versus a shared session store."""

from __future__ import annotations

import pytest

from architect.sim.commands import (
    AddLoadBalancer,
    AddSessionStore,
    AddWebServer,
    CommandError,
    FailNode,
    SeparateDatabase,
    SetBalancing,
)
from architect.sim.model import presets
from architect.sim.simulation import Simulation


def _three_servers(algorithm: str, *, shared: bool = False) -> Simulation:
    sim = Simulation(presets.single_server(300), seed=1)
    for command in (
        SeparateDatabase(),
        AddWebServer(),
        AddWebServer(),
        AddLoadBalancer(),
        SetBalancing(algorithm),
    ):
        sim.apply(command)
    if shared:
        sim.apply(AddSessionStore())
    return sim


def _lost_when_web_2_fails(sim: Simulation) -> tuple[int, int]:
    """Sessions lost in 30 s of normal running, then in 10 s after web-2 fails."""
    before = sim.advance(30).sessions_lost
    sim.apply(FailNode("web-2"))
    return before, sim.advance(10).sessions_lost - before


def test_round_robin_with_local_sessions_keeps_logging_users_out():
    """Each request may land on another server, which does not know the user."""
    before, _after = _lost_when_web_2_fails(_three_servers("round_robin"))
    dynamic = 300 * 0.8 * 30
    assert before > 0.1 * dynamic


def test_sticky_sessions_lose_only_the_failed_servers_users():
    before, after = _lost_when_web_2_fails(_three_servers("sticky"))
    assert before == 0
    # At most the users web-2 held: about a third of those seen in 30 s.
    assert 0 < after < 10_000 / 3


def test_a_shared_session_store_loses_nothing_and_every_dynamic_request_uses_it():
    sim = _three_servers("round_robin", shared=True)
    store = sim.stations["sessions"]
    done = store.completed
    before, after = _lost_when_web_2_fails(sim)
    assert (before, after) == (0, 0)
    assert (store.completed - done) / 40 == pytest.approx(300 * 0.8, rel=0.1)


def test_the_session_store_is_a_single_point_of_failure():
    sim = _three_servers("round_robin", shared=True)
    sim.advance(5)
    sim.apply(FailNode("sessions"))
    snapshot = sim.advance(3)
    assert snapshot.error_rate == pytest.approx(0.8, abs=0.05)  # every dynamic request


def test_balancing_needs_a_load_balancer_and_a_known_algorithm():
    sim = Simulation(presets.single_server())
    with pytest.raises(CommandError) as caught:
        sim.apply(SetBalancing("sticky"))
    assert caught.value.code == "no_load_balancer"
    sim = _three_servers("round_robin")
    with pytest.raises(CommandError) as caught:
        sim.apply(SetBalancing("random"))
    assert caught.value.code == "unknown_algorithm"
