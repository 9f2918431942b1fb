"""LiveSession: the user's clock (pause, speed, reset) around the real engine."""

from __future__ import annotations

import asyncio
import threading

import pytest

from architect.sandbox.live import MEASURE_EVERY, LiveSession, step_where_cheapest
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


def engine_costs(session: LiveSession, clock: FakeClock, seconds_per_sim_second: float) -> None:
    """Make the engine take ``seconds_per_sim_second`` of the fake clock per simulated second."""
    advance = session.sim.advance

    def timed(dt: float):
        clock.advance(dt * seconds_per_sim_second)
        return advance(dt)

    session.sim.advance = timed  # type: ignore[method-assign]


def test_heavy_traffic_is_the_cause_when_the_engine_takes_the_time():
    """Each 0.2 s step costs the engine 0.45 s: it cannot keep up; the traffic is why."""
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    engine_costs(session, clock, 2.25)
    for _ in range(6):
        clock.advance(0.05)  # a little time elsewhere between steps
        session.step(0.2)
    assert session.ratio == pytest.approx(0.4)
    assert session.engine_share == pytest.approx(2.25)
    assert session.status.cause == "traffic"


def test_a_busy_machine_is_the_cause_when_the_engine_needs_little():
    """The engine needs 5 % of real time, yet steps come 0.22 s apart: 0.9× real time,
    and the machine, not the traffic, is why."""
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    engine_costs(session, clock, 0.05)
    for _ in range(6):
        clock.advance(0.22 - 0.2 * 0.05)  # waiting for the CPU, other sessions
        session.step(0.2)
    assert session.ratio == pytest.approx(0.2 / 0.22)
    assert session.engine_share == pytest.approx(0.05)
    assert session.status.behind
    assert session.status.cause == "machine"


@pytest.mark.parametrize(("cost", "share", "cause"), [(0.1, 0.5, "machine"), (0.2, 1.0, "traffic")])
def test_at_speed_five_the_engine_share_counts_the_speed(cost, share, cause):
    """0.1 wall s per simulated second is 10 % of real time at 1×, 50 % at 5×; 0.2 is all
    of it at 5×."""
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    session.apply(SetSpeed(5))
    engine_costs(session, clock, cost)
    for _ in range(6):
        clock.advance(0.3)
        session.step(0.2)
    assert session.engine_share == pytest.approx(share)
    assert session.status.cause == cause


def test_keeping_up_has_no_cause():
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    for _ in range(6):
        clock.advance(0.2)
        session.step(0.2)
    assert session.status.cause == ""


def test_the_next_steps_cpu_is_expected_only_once_measured_since_the_last_change():
    """A step costs what its simulated seconds cost at the measured rate (the budget
    capping it); before a first step, and after any change, nobody knows (None)."""
    cpu = FakeClock()
    session = LiveSession(single_server, clock=FakeClock())
    session.cpu_clock = cpu
    assert session.expected_cpu(0.2) is None

    def step_costing(cpu_s: float) -> None:
        original = session.sim.advance

        def advance(dt: float):
            cpu.advance(cpu_s)
            return original(dt)

        session.sim.advance = advance  # type: ignore[method-assign]
        session.step(0.2)
        session.sim.advance = original  # type: ignore[method-assign]

    step_costing(0.002)  # 2 ms for 0.2 simulated seconds: 10 ms per simulated second
    assert session.expected_cpu(0.2) == pytest.approx(0.002)
    session.apply(SetSpeed(5))
    assert session.expected_cpu(0.2) == pytest.approx(0.010)  # five times the seconds
    session.budget = 0.004
    assert session.expected_cpu(0.2) == pytest.approx(0.004)  # no more than its budget
    session.apply(SetTraffic(900))
    assert session.expected_cpu(0.2) is None  # more traffic may cost more: not measured yet
    session.apply(Pause())
    assert session.expected_cpu(0.2) == 0.0


def test_a_step_runs_on_the_event_loop_only_when_measured_to_be_short():
    """``step_where_cheapest``: a new simulation (cost unknown) and one measured to be
    dear step in a thread; one measured to be cheap, and a paused one, on the loop."""
    cpu = FakeClock()
    session = LiveSession(single_server, clock=FakeClock())
    session.cpu_clock = cpu

    def step(wall_dt: float) -> int:
        session.step(wall_dt)  # costs no CPU time on the fake clock
        return threading.get_ident()

    async def where() -> bool:
        ident = await step_where_cheapest(session, 0.2, step, inline_up_to=0.005)
        return ident == threading.get_ident()  # True: on the loop's own thread

    assert asyncio.run(where()) is False  # not measured yet
    session.cost = 0.01  # CPU seconds per simulated second: 2 ms for 0.2 s
    assert asyncio.run(where()) is True
    session.cost = 0.1  # 20 ms: dearer than the hop
    assert asyncio.run(where()) is False
    session.apply(Pause())
    assert asyncio.run(where()) is True  # nothing to step


def test_the_cpu_clock_is_read_after_a_change_then_once_in_a_few_steps():
    """Reading a thread's CPU clock is a system call: a step reads it when the cost is not
    known since the last change, then once every ``MEASURE_EVERY`` steps."""
    reads = []
    session = LiveSession(single_server, clock=FakeClock())
    session.cpu_clock = lambda: reads.append(1) or float(len(reads))  # type: ignore[func-returns-value]
    for _ in range(2 * MEASURE_EVERY):
        session.step(0.2)
    assert len(reads) == 2 * 2  # the first step, then the MEASURE_EVERY-th after it
    session.apply(SetTraffic(900))
    session.step(0.2)
    assert len(reads) == 3 * 2  # a change: measured at once
    assert session.expected_cpu(0.2) is not None


def test_a_step_held_to_its_budget_reads_the_cpu_clock_every_time():
    """A capped step goes as far as the estimate says the budget buys: the estimate is
    refreshed at each such step (its cost changes by itself too: scripted traffic,
    autoscaling), so one that grew is overrun for one step, not ``MEASURE_EVERY - 1``."""
    reads = []
    session = LiveSession(single_server, clock=FakeClock())
    cpu = FakeClock(0.0)

    def read() -> float:
        reads.append(1)
        cpu.advance(0.001 * ((len(reads) + 1) % 2))  # each step takes 1 ms of CPU
        return cpu()

    session.cpu_clock = read
    session.budget = 0.0005  # half what a step of 0.2 s costs: every step is capped
    for _ in range(2 * MEASURE_EVERY):
        session.step(0.2)
    assert session.capped
    assert len(reads) == 2 * 2 * MEASURE_EVERY  # every step measured
