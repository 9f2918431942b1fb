"""Every socket's protections in one object (architect.sandbox.host): the consumers of the
site all have one, and it admits, limits, guards and lets go as the caps say."""

from __future__ import annotations

import asyncio
import logging

import pytest
from channels.consumer import AsyncConsumer, SyncConsumer
from django.test import override_settings

from architect.sandbox import caps
from architect.sandbox.host import HostedConsumer, SocketHost

from helpers.clock import FakeClock

PROJECT = ("architect", "lessons", "classrooms", "authoring", "accounts")
SCOPE = {"client": ("203.0.113.9", 5000)}


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_consumer_of_the_site_is_hosted() -> None:
    """A consumer of the site (the sandbox, compare, a stage, the capture sandbox, a room's
    screens…) cannot forget the rate limit, the guard or the caps: it has a host."""
    import architect.asgi  # noqa: F401  (imports every routed consumer)

    consumers = {
        cls
        for base in (AsyncConsumer, SyncConsumer)
        for cls in _subclasses(base)
        if cls.__module__.split(".")[0] in PROJECT and cls is not HostedConsumer
    }
    names = {cls.__name__ for cls in consumers}
    assert {"SandboxConsumer", "LessonConsumer", "CaptureConsumer", "StudentConsumer"} <= names
    assert [c.__name__ for c in consumers if not issubclass(c, HostedConsumer)] == []


@pytest.fixture
def admission(monkeypatch: pytest.MonkeyPatch) -> caps.Admission:
    fresh = caps.Admission()
    monkeypatch.setattr(caps, "ADMISSION", fresh)
    return fresh


def _host(clock: FakeClock, rate: int = 10) -> SocketHost:
    return SocketHost(logging.getLogger("test.host"), "Test", clock=clock, rate=rate)


@override_settings(SANDBOX_MAX_SIMULATIONS=1)
def test_a_host_takes_a_place_under_the_caps_and_gives_it_back_once(admission) -> None:
    clock = FakeClock(0.0)
    first, second = _host(clock), _host(clock)
    assert first.on_connect(SCOPE, "en") is None
    refusal = second.on_connect(SCOPE, "en")
    assert refusal is not None and "as many simulations as it can" in refusal
    second.on_disconnect()  # never admitted: gives back nothing
    assert admission.total == 1
    first.on_disconnect()
    first.on_disconnect()
    assert admission.total == 0


def test_a_host_drops_messages_over_its_rate_and_says_so_once_a_second() -> None:
    clock = FakeClock(0.0)
    host = _host(clock, rate=10)  # a burst of 5
    assert [host.on_receive() for _ in range(6)] == [True] * 5 + [False]
    assert [host.slow_down_due(), host.slow_down_due()] == [True, False]
    clock.advance(1.0)
    assert host.on_receive() and host.slow_down_due()


async def test_closing_a_host_stops_the_tick_task_and_gives_the_place_back(admission) -> None:
    host = _host(FakeClock(0.0))
    assert host.on_connect(SCOPE, "en") is None
    ticker = asyncio.create_task(asyncio.Event().wait())
    await host.on_close(ticker)
    assert ticker.cancelled() and admission.total == 0


def test_a_simulation_without_a_place_still_shares_the_cpu_and_gives_its_share_back(admission):
    """A student's copy runs without a place under the caps (the room admitted the phone):
    it takes its share of the CPU while it runs, and gives it back when it stops."""
    copy, sandbox = _host(FakeClock(0.0)), _host(FakeClock(0.0))
    alone = sandbox.budget(running=True, tick=0.2)
    assert copy.budget(running=True, tick=0.2) < alone
    copy.stopped()
    assert sandbox.budget(running=True, tick=0.2) == alone
    copy.budget(running=True, tick=0.2)
    copy.on_disconnect()
    assert admission.running == {id(sandbox)}
