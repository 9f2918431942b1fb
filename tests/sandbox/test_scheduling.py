"""Who goes first when a heavy simulation shares a worker and a web process with others.

A worker carries out a session's command before the steps waiting in its pipe, and holds
a step of unknown cost to its budget (``architect.sandbox.worker``); a web process draws
one step per turn of its event loop, a click's answer first, and never draws a step that
is older than a command's answer it already sent (``turns``, ``consumers``). CPU time is
an injected clock that moves with simulated time; no test reads the wall clock.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from architect.sandbox.consumers import SandboxConsumer
from architect.sandbox.live import LiveSession
from architect.sandbox.turns import turns
from architect.sandbox.worker import STEP_CAP_S, Host, Inbox, Opening, serve, stepped
from architect.sim.commands import SetTraffic
from architect.sim.loader import dump_topology
from architect.sim.model.presets import single_server

from helpers.websocket import ManualTicks, connect, error_of, pending, receive, send

TICK = 0.2
SHORTEST = 0.5 * 0.001 + 1e-9  # what the shortest step (1 ms) costs at 0.5 CPU s per s


def request(rid: int, op: str, sid: int, *args: Any) -> tuple[Any, ...]:
    return (rid, op, sid, args)


def test_an_inbox_takes_a_command_before_waiting_steps_and_keeps_each_sessions_order():
    inbox = Inbox()
    for waiting in (
        request(1, "step", 1, TICK),  # the heavy session's step
        request(2, "step", 2, TICK),
        request(3, "step", 3, TICK),
        request(4, "apply", 2, "click"),  # after its own session's step: waits for it
        request(5, "apply", 4, "click"),  # nothing of its session before it: first
        request(6, "set", 1, "paused", True),  # after session 1's step: waits for it
    ):
        inbox.put(waiting)
    assert [inbox.take()[0] for _ in range(6)] == [5, 1, 6, 2, 4, 3]
    assert len(inbox) == 0


class Pipe:
    """A worker's end of the pipe, with every request already in it."""

    def __init__(self, requests: list[tuple[Any, ...]]) -> None:
        self.requests = requests
        self.sent: list[tuple[Any, ...]] = []

    def recv(self) -> tuple[Any, ...]:
        if not self.requests:
            raise EOFError  # the web process went away: the loop ends
        return self.requests.pop(0)

    def poll(self) -> bool:
        return bool(self.requests)

    def send(self, response: tuple[Any, ...]) -> None:
        self.sent.append(response)


def test_a_worker_answers_a_click_before_the_steps_queued_ahead_of_it():
    first = dump_topology(single_server())
    moments = iter(range(100))
    pipe = Pipe(
        [
            request(1, "open", 1, Opening(first, seed=1)),
            request(2, "open", 2, Opening(first, seed=1)),
            request(3, "step", 1, TICK),
            request(4, "step", 1, TICK),
            request(5, "apply", 2, SetTraffic(rps=50)),
        ]
    )
    serve(pipe, 0.9, 0.001, clock=lambda: float(next(moments)))
    assert [r[0] for r in pipe.sent] == [1, 2, 5, 3, 4]
    assert all(ok for _rid, ok, _reply, _marks in pipe.sent)
    began, answered = pipe.sent[2][3]  # when the worker began and ended the click
    assert began[0] == "worker" and answered[0] == "answered" and answered[1] > began[1]


class CpuPerSimulatedSecond:
    """A CPU clock for a session: ``cost`` CPU seconds per simulated second it runs."""

    def __init__(self, session: LiveSession, cost: float) -> None:
        self.session, self.cost = session, cost
        self.spent = 0.0
        self._last = session.sim.env.now

    def __call__(self) -> float:
        now = self.session.sim.env.now
        self.spent += (now - self._last) * self.cost
        self._last = now
        return self.spent


def test_a_step_whose_cost_is_not_known_is_probed_and_held_to_its_budget():
    session = LiveSession(single_server)
    cpu = CpuPerSimulatedSecond(session, cost=0.001)
    session.cpu_clock = cpu
    budget = 0.005
    session.budget = budget
    stepped(session, TICK)  # cheap: the whole tick, measured at 0.001 CPU s per s
    assert session.snapshot().t == pytest.approx(TICK)

    session.apply(SetTraffic(rps=19_999))  # now 500 times dearer; its cost not measured yet
    before = cpu()
    cpu.cost = 0.5
    stepped(session, TICK)
    # the old cost would have bought the whole tick: 0.1 CPU s, 20 times the budget
    assert cpu() - before <= budget + SHORTEST  # the budget, and one shortest step
    assert session.status.capped and session.budget == budget

    for _ in range(6):  # measured now (once in a few steps): held to the budget
        before = cpu()
        stepped(session, TICK)
        assert cpu() - before <= budget + SHORTEST


def test_a_host_probes_a_new_session_before_its_first_step():
    host = Host(cpu_share=0.025, min_share=0.001)
    host.handle("open", 1, (Opening(dump_topology(single_server()), seed=1),))
    session = host.sessions[1]
    session.cpu_clock = cpu = CpuPerSimulatedSecond(session, cost=0.5)
    host.handle("step", 1, (TICK,))  # no cost measured: unbudgeted before, a whole tick
    assert cpu() <= 0.025 * TICK + SHORTEST


def test_a_step_holds_a_worker_no_longer_than_the_cap_while_others_run_there():
    host = Host(cpu_share=0.9, min_share=0.001)
    first = dump_topology(single_server())
    host.handle("open", 1, (Opening(first, seed=1),))
    heavy = host.sessions[1]
    heavy.cpu_clock = cpu = CpuPerSimulatedSecond(heavy, cost=0.5)
    host.handle("step", 1, (TICK,))  # alone: its share (0.18 CPU s) buys the whole tick
    assert heavy.snapshot().t == pytest.approx(TICK) and cpu() == pytest.approx(0.5 * TICK)
    host.handle("open", 2, (Opening(first, seed=1),))  # a neighbour: half of 0.18 s is too long
    for _ in range(6):
        before = cpu()
        host.handle("step", 1, (TICK,))
        assert cpu() - before <= STEP_CAP_S + SHORTEST
    assert heavy.status.capped  # behind real time, and the page says so


async def test_turns_go_one_at_a_time_urgent_ones_first_and_pass_over_a_cancelled_one():
    order: list[str] = []

    async def draw(name: str, urgent: bool) -> None:
        async with turns().turn(urgent=urgent):
            order.append(name)

    holding = turns().turn(urgent=False)
    await holding.__aenter__()  # a drawing under way
    tick_a = asyncio.create_task(draw("tick a", False))
    gone = asyncio.create_task(draw("gone", False))
    tick_b = asyncio.create_task(draw("tick b", False))
    click = asyncio.create_task(draw("click", True))
    await asyncio.sleep(0)
    gone.cancel()  # its socket closed while it waited
    await holding.__aexit__(None, None, None)
    await asyncio.gather(tick_a, tick_b, click, gone, return_exceptions=True)
    assert order == ["click", "tick a", "tick b"]


class SteppedOnCue:
    """Stands in for a ``workers.RemoteSession``: a real session stepped when the test
    lets the step's answer "come back from the worker"."""

    def __init__(self, session: LiveSession) -> None:
        self.inner = session
        self.answered = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def advance(self, wall_dt: float) -> Any:
        await self.answered.wait()
        return self.inner.step(wall_dt)


@pytest.mark.django_db(transaction=True)
async def test_a_click_is_answered_before_a_waiting_step_and_that_older_step_is_not_drawn(
    ticks: ManualTicks, monkeypatch: pytest.MonkeyPatch
):
    made: list[SteppedOnCue] = []

    def build(consumer: SandboxConsumer) -> Any:
        made.append(SteppedOnCue(LiveSession(single_server, clock=consumer.clock)))
        return made[0]

    monkeypatch.setattr(SandboxConsumer, "build_session", build)
    ws = connect()
    try:
        assert (await ws.connect())[0]
        await receive(ws)  # the whole page; the first tick's step is in "the worker"
        holding = turns().turn(urgent=False)
        await holding.__aenter__()  # another socket's drawing under way
        made[0].answered.set()  # the step comes back: it waits for a turn, not the lock
        await send(ws, action="speed", speed="2")
        for _ in range(10_000):  # until the click's answer waits for its turn
            if turns().waiting(urgent=True):
                break
            await asyncio.sleep(0.001)
        await holding.__aexit__(None, None, None)
        answer = await receive(ws)
        assert error_of(answer) == ""  # the click's answer came first
        await ticks.parked()
        assert list(pending(ws)) == []  # the step from before the click was not drawn
        await ticks.tick()
        assert [error_of(html) for html in pending(ws)] == [None]  # the next one is
    finally:
        await ws.disconnect()
