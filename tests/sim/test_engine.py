"""The running simulation: determinism, failures, health checks, overload, scaling, commands."""

from __future__ import annotations

import pytest

from architect.sim.commands import (
    AddWebServer,
    CommandError,
    FailNode,
    ResizeNode,
    RestoreNode,
    SeparateDatabase,
    SetTraffic,
)
from architect.sim.model import presets
from architect.sim.model.sizes import SIZES
from architect.sim.model.topology import Topology, Traffic
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Event, EventKind, Snapshot


def _load_balanced(rps: float = 200.0) -> Topology:
    """DNS -> LB -> two m web servers (400 rps each) -> database."""
    return Topology(
        name="Load balanced",
        nodes=(
            presets.dns(),
            presets.load_balancer(),
            presets.web_server("web-1", holds_data=False),
            presets.web_server("web-2", holds_data=False),
            presets.database(),
        ),
        links=(("dns", "lb"), ("lb", "web-1"), ("lb", "web-2"), ("web-1", "db"), ("web-2", "db")),
        traffic=Traffic(rps=rps),
    )


def _events(snapshot: Snapshot, kind: EventKind) -> list[Event]:
    return [e for e in snapshot.events if e.kind == kind]


def _script(seed: int) -> list[Snapshot]:
    sim = Simulation(_load_balanced(), seed=seed)
    shots = [sim.advance(1.0)]
    sim.apply(FailNode("web-2"))
    shots.append(sim.advance(2.5))
    sim.apply(SetTraffic(350))
    shots.append(sim.advance(1.3))
    return shots


def test_same_seed_and_commands_give_identical_snapshots():
    """Determinism: a seed and a command script fix every snapshot."""
    assert _script(seed=7) == _script(seed=7)


def test_a_different_seed_gives_different_snapshots():
    """The seed matters: another one draws other arrivals and service times."""
    assert _script(seed=7) != _script(seed=8)


def test_single_server_failure_takes_the_site_down_until_restored():
    """With one server, its failure fails every request; restoring it serves again."""
    sim = Simulation(presets.single_server(rps=100), seed=1)
    sim.advance(2.0)
    sim.apply(FailNode("web-1"))
    down = sim.advance(2.0)
    assert down.error_rate == 1.0
    assert down.throughput_rps == 0
    assert _events(down, EventKind.SITE_DOWN)[0].node == "web-1"
    sim.apply(RestoreNode("web-1"))
    up = sim.advance(2.0)
    assert up.error_rate == 0.0
    assert up.throughput_rps == pytest.approx(100, rel=0.3)


def test_failed_backend_errors_only_until_the_next_health_check():
    """The load balancer keeps sending to a failed backend until a health check removes it."""
    sim = Simulation(_load_balanced(), seed=2)
    sim.advance(5.0)
    sim.window.reset_cumulative()
    sim.apply(FailNode("web-2"))
    failed_at = sim.now
    failures: list[tuple[float, int]] = []
    for _ in range(40):
        sim.advance(0.1)
        failures.append((sim.now, sim.window.cumulative.failed))
    (removed,) = _events(sim.snapshot(), EventKind.BACKEND_REMOVED)
    assert removed.peer == "web-2"
    assert removed.since == pytest.approx(failed_at)
    assert failed_at < removed.t <= failed_at + presets.load_balancer().health_check_s
    before = [n for t, n in failures if t <= removed.t]
    after = {n for t, n in failures if t > removed.t}
    assert before[-1] > 0  # errors between the failure and the health check
    # None once web-2 is out of rotation (the check falls between two 0.1 s samples: its
    # random phase), and the event carries the count of failed requests.
    assert after == {removed.count} and before[-1] <= removed.count
    assert sim.snapshot().error_rate == 0.0


def test_restored_backend_returns_to_rotation():
    """After a restore, the next health check puts the backend back, and it serves again."""
    sim = Simulation(_load_balanced(), seed=3)
    sim.apply(FailNode("web-2"))
    sim.advance(3.0)
    sim.apply(RestoreNode("web-2"))
    snapshot = sim.advance(4.0)
    assert _events(snapshot, EventKind.BACKEND_ADDED)[0].peer == "web-2"
    node = snapshot.node("web-2")
    assert node.in_rotation
    assert node.throughput_rps == pytest.approx(100, rel=0.3)


def test_overload_fills_the_queue_then_rejects():
    """Beyond capacity (8 workers x 25 ms = 320 rps) the queue fills: latency climbs, errors."""
    sim = Simulation(presets.single_server(rps=100), seed=4)
    calm = sim.advance(3.0)
    sim.apply(SetTraffic(1000))
    busy = sim.advance(5.0)
    assert calm.error_rate == 0.0
    assert busy.error_rate > 0.5  # about 1 - 320/1000
    assert busy.node("web-1").queued > 0.75 * presets.WEB_QUEUE_LIMIT
    assert calm.latency is not None and busy.latency is not None
    assert busy.latency.p50_ms > 10 * calm.latency.p50_ms
    assert busy.throughput_rps == pytest.approx(320, rel=0.15)


def test_vertical_scaling_buys_capacity_at_a_proportional_price():
    """s -> xl multiplies workers (and served rps under overload) by 8, and the cost by 8:
    clouds price a family's sizes by their vCPUs."""
    sim = Simulation(presets.single_server(rps=5000), seed=5)
    sim.apply(ResizeNode("web-1", "s"))
    small = sim.advance(3.0)
    sim.apply(ResizeNode("web-1", "xl"))
    sim.advance(1.0)
    large = sim.advance(3.0)
    assert large.throughput_rps / small.throughput_rps == pytest.approx(8, rel=0.1)
    per_worker = [size.cost_per_month / size.workers for size in SIZES.values()]
    assert len(set(per_worker)) == 1
    assert large.node("web-1").cost_per_month == 8 * small.node("web-1").cost_per_month
    with pytest.raises(CommandError) as caught:
        sim.apply(ResizeNode("web-1", "xxl"))
    assert caught.value.code == "unknown_size"


def test_separate_database_then_does_the_data_work():
    """SeparateDatabase adds a database, and the data work moves onto it."""
    sim = Simulation(presets.single_server(rps=200), seed=6)
    sim.advance(1.0)
    sim.apply(SeparateDatabase())
    snapshot = sim.advance(3.0)
    db = snapshot.node("db")
    assert db.throughput_rps > 0.5 * 200  # the data work moved off web-1
    assert db.utilization > 0
    assert ("web-1", "db") in snapshot.links


def test_a_second_web_server_without_a_load_balancer_gets_no_traffic():
    """DNS points at one server: a new one idles, and the log says so."""
    sim = Simulation(presets.single_server(rps=200), seed=7)
    sim.apply(SeparateDatabase())
    sim.apply(AddWebServer())
    snapshot = sim.advance(3.0)
    (event,) = _events(snapshot, EventKind.NO_TRAFFIC)
    assert event.node == "web-2"
    web_2 = snapshot.node("web-2")
    assert web_2.throughput_rps == 0
    assert not web_2.in_rotation
    assert snapshot.node("web-1").throughput_rps > 0


@pytest.mark.parametrize(
    "command",
    [
        ResizeNode("web-1", "xxl"),
        ResizeNode("dns", "l"),
        FailNode("ghost"),
        RestoreNode("web-1"),
        SetTraffic(-5),
        SetTraffic(float("nan")),
        AddWebServer(),  # the data still lives on web-1
    ],
    ids=repr,
)
def test_a_refused_command_changes_nothing(command: object):
    """CommandError leaves the simulation as it was: its twin, spared the command, matches it."""
    twins = [Simulation(presets.single_server(rps=150), seed=9) for _ in range(2)]
    for sim in twins:
        sim.advance(1.5)
    with pytest.raises(CommandError):
        twins[0].apply(command)  # type: ignore[arg-type]
    assert twins[0].advance(2.0) == twins[1].advance(2.0)
