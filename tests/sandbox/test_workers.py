"""Simulations stepped in worker processes (``architect.sandbox.worker``, ``workers``).

A worker's failure is injected by killing its process between two steps; ticks are
driven by the test, never by the wall clock.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings

from architect.sandbox import workers
from architect.sandbox.worker import Host, Opening, answer
from architect.sim.commands import CommandError, FailNode, SeparateDatabase, SetTraffic
from architect.sim.loader import dump_topology
from architect.sim.model.presets import single_server

from helpers.websocket import (
    ManualTicks,
    connect,
    error_of,
    pending,
    receive,
    send,
    simulated_time,
)
from helpers.websocket import (
    answer as answer_to,
)

TICK = 0.2


def ids(snapshot) -> list[str]:
    return [node.id for node in snapshot.nodes]


def replied(host: Host, request: tuple[Any, ...]) -> tuple[Any, bool, Any]:
    response = answer(host, request)
    assert response is not None
    return response


def test_a_host_carries_out_requests_and_answers_with_snapshots_and_checkpoints():
    host = Host(cpu_share=0.08, min_share=0.001)  # shares under the cap on one step
    first = dump_topology(single_server())
    for sid in (1, 2):
        assert answer(host, (sid, "open", sid, (Opening(first, seed=1),))) is not None
        # Steps cost no CPU here, so none is held to its budget however busy the machine
        # (a loaded CI once spent a step's 8 ms share and moved 0.13 s, not 0.2).
        host.sessions[sid].cpu_clock = lambda: 0.0
    rid, ok, reply = replied(host, (7, "apply", 1, (SeparateDatabase(),)))
    assert (rid, ok) == (7, True)
    assert ids(reply.snapshot) == ["dns", "web-1", "db"]
    assert [n["id"] for n in reply.topology["nodes"]] == ["dns", "web-1", "db"]

    _, _, stepped = replied(host, (8, "step", 1, (TICK,)))
    assert stepped.snapshot.t == pytest.approx(TICK)
    assert stepped.topology is None  # the architecture did not change: no new checkpoint
    assert host.sessions[1].budget == pytest.approx(0.08 / 2 * TICK)  # two running: halves
    assert answer(host, (None, "set", 2, ("paused", True))) is None  # no answer wanted
    answer(host, (9, "step", 1, (TICK,)))
    assert host.sessions[1].budget == pytest.approx(0.08 * TICK)  # the other one paused
    assert host.sessions[2].snapshot().t == 0.0

    rid, ok, failure = replied(host, (10, "apply", 2, (FailNode("nope"),)))
    assert (rid, ok, failure[0]) == (10, False, "command")
    assert failure[1][0] == "unknown_node" and failure[1][2] == {"node": "nope"}
    rid, ok, failure = replied(host, (11, "step", 99, (TICK,)))  # no such session: a bug
    assert (rid, ok, failure[0]) == (11, False, "error")
    assert replied(host, (12, "step", 1, (TICK,)))[1]  # the worker goes on


def test_a_remote_session_steps_in_its_worker_and_resumes_elsewhere_when_it_dies():
    pool = workers.Pool(2, cpu_share=0.9, min_share=0.002)
    try:
        session = workers.RemoteSession(pool, single_server())
        first = session.worker
        assert first.process.pid != os.getpid()
        session.apply(SeparateDatabase())
        session.apply(SetTraffic(250.0))
        with pytest.raises(CommandError) as refused:
            session.apply(FailNode("nope"))
        assert refused.value.code == "unknown_node"
        given_up = first.request("step", session.id, (TICK,))
        given_up.cancel()  # a closed socket's last tick: its answer must not stop the reader
        for n in range(2, 5):  # the cancelled step was made all the same
            assert session.step(TICK).t == pytest.approx(TICK * n)
        kept = session.sim.current_topology()
        assert kept.traffic.rps == 250.0 and [n.id for n in kept.nodes] == ["dns", "web-1", "db"]

        first.process.kill()  # the failure: the worker dies between two steps
        first.process.wait()
        snapshot = session.step(TICK)

        assert session.worker is not first and not session.worker.dead
        assert snapshot.t == pytest.approx(TICK)  # from the checkpoint, at time 0
        assert ids(snapshot) == ["dns", "web-1", "db"]
        assert session.sim.current_topology() == kept
        assert sum(not w.dead for w in pool.workers) == 2  # the dead one was replaced
    finally:
        pool.stop()


@pytest.fixture
def in_a_worker(settings):
    settings.SIM_WORKERS = 1
    yield
    workers.shutdown()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_a_worker")
async def test_a_sandbox_socket_is_stepped_in_a_worker_and_survives_its_death(
    ticks: ManualTicks,
):
    ws = connect()
    try:
        connected, _ = await ws.connect()
        assert connected
        await receive(ws)  # the whole page
        await ticks.parked()
        await send(ws, action="separate_database")
        assert error_of(await answer_to(ws)) == ""
        await ticks.tick(2)
        times = [t for t in map(simulated_time, pending(ws)) if t is not None]
        assert times and times[-1] > 0

        (worker,) = workers.configured_pool().workers  # type: ignore[union-attr]
        worker.process.kill()
        worker.process.wait()
        await ticks.tick()

        restarted = [t for t in map(simulated_time, pending(ws)) if t is not None]
        assert restarted == [pytest.approx(settings.SANDBOX_TICK_SECONDS)]  # from the checkpoint
        await send(ws, action="fail", node="db")  # the resumed one has the database
        assert error_of(await answer_to(ws)) == ""
    finally:
        await ws.disconnect()
