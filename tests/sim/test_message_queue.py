"""A message queue and its workers: answer at once, work later, lose nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.commands import (
    AddLoadBalancer,
    AddMessageQueue,
    AddWebServer,
    CommandError,
    FailNode,
    RestoreNode,
    SeparateDatabase,
    SetWorkers,
)
from architect.sim.model import presets
from architect.sim.model.topology import Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Snapshot

RPS = 200
JOBS_PER_S = RPS * 0.8 * 0.2 * 0.5  # dynamic × writes × job ratio = 16 jobs/s


def _with_queue(workers: int) -> Simulation:
    traffic = Traffic(rps=RPS, read_ratio=0.8, static_ratio=0.2, job_ratio=0.5)
    sim = Simulation(replace(presets.single_server(RPS), traffic=traffic), seed=3)
    for command in (SeparateDatabase(), AddWebServer(), AddLoadBalancer(), AddMessageQueue()):
        sim.apply(command)
    sim.apply(SetWorkers("workers", workers))
    return sim


def _done(sim: Simulation, seconds: float) -> tuple[int, int]:
    """(jobs published, jobs done) over the next ``seconds``, long-run counters."""
    sim.jobs.reset_cumulative()
    sim.advance(seconds)
    return sim.jobs.cumulative.arrivals, sim.jobs.cumulative.served


def test_web_servers_publish_and_answer_at_once():
    """Users wait for the write, not for the 500 ms job."""
    sim = _with_queue(workers=16)
    sim.advance(10)
    published, done = _done(sim, 60)
    assert published / 60 == pytest.approx(JOBS_PER_S, rel=0.1)
    assert done == pytest.approx(published, abs=16)
    snapshot = sim.snapshot()
    assert snapshot.latency is not None and snapshot.latency.p99_ms < 250
    assert snapshot.jobs is not None and snapshot.jobs.latency is not None
    assert snapshot.jobs.latency.mean_ms > 400  # the job itself takes 500 ms on average


def test_too_few_workers_let_the_backlog_grow_and_more_drain_it():
    """4 workers × 2 jobs/s = 8/s < 16/s published: the queue deepens; 32 workers drain it."""
    sim = _with_queue(workers=4)
    depth_1 = _depth(sim.advance(30))
    depth_2 = _depth(sim.advance(30))
    assert depth_2 > depth_1 > 50
    assert depth_2 == pytest.approx(60 * (JOBS_PER_S - 8), rel=0.25)
    sim.apply(SetWorkers("workers", 32))
    assert _depth(sim.advance(60)) < 10


def test_messages_survive_a_worker_failure():
    sim = _with_queue(workers=16)
    sim.advance(20)
    published_before = sim.jobs.cumulative.arrivals
    sim.apply(FailNode("workers"))
    down = sim.advance(10)
    assert _depth(down) == pytest.approx(10 * JOBS_PER_S, rel=0.25)  # waiting, not lost
    assert down.error_rate == 0  # users do not notice
    sim.apply(RestoreNode("workers"))
    sim.advance(60)
    assert sim.jobs.cumulative.failed == 0
    assert sim.jobs.cumulative.served >= published_before
    assert _depth(sim.snapshot()) < 10


def test_set_workers_checks_its_target():
    sim = _with_queue(workers=4)
    with pytest.raises(CommandError) as caught:
        sim.apply(SetWorkers("db", 4))
    assert caught.value.code == "not_a_worker_pool"
    with pytest.raises(CommandError) as caught:
        sim.apply(SetWorkers("workers", 0))
    assert caught.value.code == "workers_out_of_range"


def _depth(snapshot: Snapshot) -> int:
    assert snapshot.jobs is not None, "a message queue reports its jobs"
    return snapshot.jobs.depth
