"""Caps and budgets: simulations per address and per process, each connection's CPU share,
hidden and idle sockets (architect.sandbox.caps, architect.sandbox.live).

Clocks are injected: the consumers' tick clock (``helpers.websocket.ManualTicks``) and the
session's CPU clock (``FakeClock``); nothing here reads the wall clock.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from architect.sandbox import caps
from architect.sandbox.live import LiveSession
from architect.sim.commands import PageHidden, PageShown, SetSpeed
from architect.sim.model.presets import single_server
from architect.sim.snapshot import Snapshot

from helpers.clock import FakeClock
from helpers.websocket import (
    ORIGIN,
    ManualTicks,
    answer,
    error_of,
    pending,
    receive,
    send,
    simulated_time,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ticks")]


@pytest.fixture(autouse=True)
def admission(monkeypatch: pytest.MonkeyPatch) -> caps.Admission:
    """A fresh process-wide registry for each test."""
    fresh = caps.Admission()
    monkeypatch.setattr(caps, "ADMISSION", fresh)
    return fresh


def opened_from(address: str, lang: str = "en"):
    from channels.testing import WebsocketCommunicator

    from architect.asgi import application

    ws = WebsocketCommunicator(application, f"/ws/sandbox/?lang={lang}", headers=ORIGIN)
    ws.scope["client"] = (address, 50000)
    return ws


async def closed_code(ws) -> int:
    """The close code of the socket, after any messages before it."""
    while True:
        output = await ws.receive_output(timeout=30)
        if output["type"] == "websocket.close":
            return int(output["code"])


# --- Admission -------------------------------------------------------------------------


@override_settings(SANDBOX_MAX_SIMULATIONS=3, SANDBOX_MAX_SIMULATIONS_PER_ADDRESS=2)
def test_admission_counts_per_address_and_in_all(admission: caps.Admission):
    assert admission.refusal("10.0.0.1") is None
    admission.enter("10.0.0.1")
    admission.enter("10.0.0.1")
    assert "2 simulations open" in str(admission.refusal("10.0.0.1"))
    assert admission.refusal("10.0.0.2") is None  # another address still may
    admission.enter("10.0.0.2")
    assert "as many simulations as it can" in str(admission.refusal("10.0.0.3"))
    admission.leave("10.0.0.1", connection=1)
    assert admission.refusal("10.0.0.3") is None
    assert admission.total == 2


def test_an_ipv6_client_counts_by_its_64():
    one = caps.client_address({"client": ("2001:db8:1:2::1", 1)})
    other = caps.client_address({"client": ("2001:db8:1:2:ffff::9", 1)})
    assert one == other == "2001:db8:1:2::/64"
    assert caps.client_address({"client": ("192.0.2.7", 1)}) == "192.0.2.7"
    assert caps.client_address({}) == "unknown"


@override_settings(SANDBOX_PROCESS_CPU_SHARE=0.6, SANDBOX_MIN_CPU_SHARE=0.01)
def test_running_simulations_share_the_process_cpu_equally_down_to_a_floor(
    admission: caps.Admission,
):
    assert admission.share() == pytest.approx(0.6)  # alone: the whole share
    for connection in range(4):
        admission.set_running(connection, True)
    assert admission.share() == pytest.approx(0.6 / 4)
    admission.set_running(3, False)  # paused or hidden: takes no share
    assert admission.share() == pytest.approx(0.6 / 3)
    for connection in range(100):
        admission.set_running(connection, True)
    assert admission.share() == pytest.approx(0.01)  # 0.006 would be below the floor


# --- The CPU budget of one session ---------------------------------------------------


def costly_session(cost: float) -> tuple[LiveSession, FakeClock]:
    """A session whose every simulated second costs ``cost`` seconds of (fake) CPU time."""
    session = LiveSession(single_server)
    cpu = FakeClock()
    session.cpu_clock = cpu
    advance = session.sim.advance

    def charged(dt: float) -> Snapshot:
        cpu.advance(cost * dt)
        return advance(dt)

    session.sim.advance = charged  # type: ignore[method-assign]
    return session, cpu


def test_a_step_advances_only_what_its_budget_buys_at_the_measured_cost():
    session, _cpu = costly_session(cost=0.5)  # half a CPU second per simulated second
    session.apply(SetSpeed(5))
    first = session.step(0.2)  # no cost known yet: the full 1 s
    assert first.t == pytest.approx(1.0)
    assert session.cost == pytest.approx(0.5)
    session.budget = 0.01  # 10 ms of CPU per step buys 0.02 simulated s
    for _ in range(10):
        snapshot = session.step(0.2)
    assert snapshot.t == pytest.approx(1.0 + 10 * 0.02)
    assert session.status.capped
    session.budget = 1.0  # a budget that buys more than asked: the full step, not capped
    assert session.step(0.2).t == pytest.approx(1.2 + 1.0)
    assert not session.status.capped


def test_a_capped_session_says_it_runs_slower_than_real_time():
    clock = FakeClock()
    session = LiveSession(single_server, clock=clock)
    cpu = FakeClock()
    session.cpu_clock = cpu
    advance = session.sim.advance

    def charged(dt: float) -> Snapshot:
        cpu.advance(0.25 * dt)
        return advance(dt)

    session.sim.advance = charged  # type: ignore[method-assign]
    session.budget = 0.005  # buys 0.02 s per 0.2 s tick: a tenth of real time
    for _ in range(12):
        clock.advance(0.2)
        session.step(0.2)
    status = session.status
    assert status.capped and status.behind and status.cause == "share"
    assert status.ratio == pytest.approx(0.1, rel=0.01)


def test_a_hidden_page_holds_simulated_time_without_the_learners_pause():
    session = LiveSession(single_server)
    session.step(0.2)
    session.apply(PageHidden())
    assert session.step(0.2).t == pytest.approx(0.2)
    assert not session.paused and not session.running
    session.apply(PageShown())
    assert session.step(0.2).t == pytest.approx(0.4)


# --- Over the socket ---------------------------------------------------------------------


@override_settings(SANDBOX_MAX_SIMULATIONS_PER_ADDRESS=1)
async def test_a_client_over_its_address_cap_is_told_why_and_asked_to_try_later():
    first, second = opened_from("198.51.100.4"), opened_from("198.51.100.4", lang="ko")
    other = opened_from("198.51.100.5")
    try:
        assert (await first.connect())[0]
        await receive(first)
        assert (await second.connect())[0]  # accepted, then told why and closed
        told = await receive(second)
        assert "이미 시뮬레이션" in (error_of(told) or "")
        assert await closed_code(second) == caps.TRY_AGAIN_LATER
        assert (await other.connect())[0]  # another address is not held back
        assert 'id="diagram"' in await receive(other)
    finally:
        await first.disconnect()
        await other.disconnect()
    again = opened_from("198.51.100.4")
    try:
        assert (await again.connect())[0]
        assert 'id="diagram"' in await receive(again)  # the first one left: room again
    finally:
        await again.disconnect()


@override_settings(SANDBOX_MAX_SIMULATIONS=2)
async def test_a_full_process_refuses_with_a_message(admission: caps.Admission):
    sockets = [opened_from(f"203.0.113.{n}") for n in range(3)]
    try:
        for ws in sockets[:2]:
            assert (await ws.connect())[0]
            await receive(ws)
        assert admission.total == 2
        assert (await sockets[2].connect())[0]
        told = error_of(await receive(sockets[2])) or ""
        assert "as many simulations as it can" in told
        assert await closed_code(sockets[2]) == caps.TRY_AGAIN_LATER
    finally:
        for ws in sockets[:2]:
            await ws.disconnect()
    assert admission.total == 0


async def notice_and_close(ws) -> tuple[list[str], int]:
    """The messages up to the socket's close, and its close code."""
    messages: list[str] = []
    while True:
        output = await ws.receive_output(timeout=30)
        if output["type"] == "websocket.close":
            return messages, int(output["code"])
        messages.append(output["text"])


@override_settings(SANDBOX_IDLE_CLOSE_SECONDS=1.9)
async def test_a_socket_unused_too_long_is_told_and_closed(
    ticks: ManualTicks, admission: caps.Admission
):
    ws = opened_from("192.0.2.10")
    assert (await ws.connect())[0]
    await receive(ws)
    await ticks.tick(9)  # 1.8 s without a message: still open
    assert not any("nothing was done" in (error_of(html) or "") for html in pending(ws))
    await ticks.let_go()  # 2.0 s
    messages, code = await notice_and_close(ws)
    assert code == caps.CLOSED_UNUSED
    told = error_of(messages[-1]) or ""
    assert "nothing was done" in told and "reload the page" in told
    assert admission.total == 0  # given back at the close, before the client's goodbye
    await ws.disconnect()


@override_settings(SANDBOX_HIDDEN_CLOSE_SECONDS=0.9, SANDBOX_IDLE_CLOSE_SECONDS=100.0)
async def test_a_hidden_page_is_held_then_closed(ticks: ManualTicks, admission: caps.Admission):
    ws = opened_from("192.0.2.11")
    assert (await ws.connect())[0]
    first = await receive(ws)
    await send(ws, action="page_hidden")  # at 0 s
    sent = [first, await answer(ws)]
    await ticks.tick(4)  # 0.8 s hidden: held, still open
    sent += pending(ws)
    assert {simulated_time(html) for html in sent} - {None} == {0.0}  # time did not move
    assert admission.running == set()  # a hidden page takes no share of the CPU
    await ticks.let_go()  # 1.0 s
    messages, code = await notice_and_close(ws)
    assert code == caps.CLOSED_UNUSED
    assert "was hidden" in (error_of(messages[-1]) or "")
    await ws.disconnect()
