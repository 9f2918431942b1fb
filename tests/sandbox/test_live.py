"""LiveSession: the user's clock (pause, speed, reset) around the real engine."""

from __future__ import annotations

import pytest

from architect.sandbox.live import LiveSession
from architect.sim.commands import (
    AddWebServer,
    CommandError,
    Pause,
    Reset,
    Resume,
    SeparateDatabase,
    SetSpeed,
    SetTraffic,
)
from architect.sim.model.presets import single_server

from helpers.clock import FakeClock


def test_step_advances_wall_time_times_speed():
    session = LiveSession(single_server)
    session.step(0.5)
    assert session.snapshot().t == pytest.approx(0.5)
    session.apply(SetSpeed(5))
    session.step(1.0)
    assert session.snapshot().t == pytest.approx(5.5)


def test_pause_stops_time_and_resume_restarts_it():
    session = LiveSession(single_server)
    session.step(1.0)
    session.apply(Pause())
    assert session.step(3.0).t == pytest.approx(1.0)
    assert session.paused
    session.apply(Resume())
    assert session.step(1.0).t == pytest.approx(2.0)


def test_reset_restores_the_first_topology_at_time_zero():
    session = LiveSession(single_server, seed=7)
    first = session.step(2.0)
    session.apply(SeparateDatabase())
    session.apply(AddWebServer())
    session.apply(SetTraffic(900))
    session.step(2.0)
    session.apply(Reset())
    snapshot = session.snapshot()
    assert snapshot.t == 0.0
    assert [n.id for n in snapshot.nodes] == ["dns", "web-1"]
    assert snapshot.offered_rps == 100.0
    assert session.step(2.0) == first  # same seed, same history


def test_engine_errors_pass_through_unchanged():
    session = LiveSession(single_server)
    with pytest.raises(CommandError):
        session.apply(SetTraffic(-5))


def test_only_the_offered_speeds_are_accepted():
    session = LiveSession(single_server)
    with pytest.raises(ValueError):
        session.apply(SetSpeed(3))
    assert session.speed == 1


def test_ratio_measures_simulated_seconds_per_wall_second():
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    assert session.ratio is None
    for _ in range(6):  # asked for 0.2 s per step, but each step came 0.5 s apart
        clock.now += 0.5
        session.step(0.2)
    assert session.ratio == pytest.approx(0.4)
    assert session.status.behind


def test_keeping_up_at_speed_two_is_not_behind():
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    session.apply(SetSpeed(2))
    for _ in range(6):
        clock.now += 0.2
        session.step(0.2)
    assert session.ratio == pytest.approx(2.0)
    assert not session.status.behind
