"""The engine's record of each closed simulated second (``Snapshot.series``): one per
second, the same whatever steps the simulation was advanced in, and the same figures a
snapshot taken exactly at the end of that second shows (what a lesson's goal judges)."""

from __future__ import annotations

from architect.sim.commands import AddCache, AddLoadBalancer, AddWebServer, SeparateDatabase
from architect.sim.model.presets import single_server
from architect.sim.simulation import Simulation

SECONDS = 12
UNEVEN_STEPS = (0.3, 0.7, 2.45, 0.05, 1.0, 3.5, 0.25, 0.75, 2.0, 0.5, 0.5)  # 12 s in all


def grown(seed: int = 3) -> Simulation:
    """Two web servers behind a load balancer, a database and a cache, at 900 req/s."""
    sim = Simulation(single_server(900.0), seed=seed)
    for command in (SeparateDatabase(), AddLoadBalancer(), AddWebServer(), AddCache()):
        sim.apply(command)
    return sim


def test_every_second_has_one_record_whatever_the_steps():
    stepped, uneven = grown(), grown()
    for _ in range(SECONDS):
        stepped.advance(1.0)
    for dt in UNEVEN_STEPS:
        uneven.advance(dt)
    assert sum(UNEVEN_STEPS) == SECONDS
    series = stepped.snapshot().series
    assert [p.second for p in series] == list(range(1, SECONDS + 1))
    assert uneven.snapshot().series == series


def test_a_record_holds_what_a_snapshot_at_the_end_of_its_second_shows():
    sim = grown()
    for second in range(1, SECONDS + 1):
        snapshot = sim.advance(1.0)
        point = snapshot.series[-1]
        assert point.second == second and point.t == snapshot.t
        assert point.latency == snapshot.latency and point.error_rate == snapshot.error_rate
        assert point.throughput_rps == snapshot.throughput_rps * snapshot.window_s
        assert point.offered_rps == snapshot.offered_rps
        assert point.cost_per_month == snapshot.cost_per_month
        assert dict(point.utilization) == {n.id: n.utilization for n in snapshot.nodes if n.workers}
        assert dict(point.queued) == {n.id: n.queued for n in snapshot.nodes if n.workers}
        assert point.hit_ratios == snapshot.hit_ratios
        assert (point.lost_writes, point.stale_reads) == (
            snapshot.lost_writes,
            snapshot.stale_reads,
        )
    assert dict(point.hit_ratios).get("cache") is not None  # the cache was looked up


def test_an_overloaded_server_queue_grows_second_by_second():
    """Offered three times what one server serves: what it does not serve waits in its
    queue, which grows by about the difference each second until its limit refuses more."""
    sim = Simulation(single_server(3000.0), seed=1)
    series = sim.advance(3.0).series
    depths = [dict(p.queued)["web-1"] for p in series]
    served = series[-1].throughput_rps
    assert depths[0] > 0 and depths == sorted(depths)
    limit = sim.current_topology().nodes[1].queue_limit
    assert depths[-1] == limit or depths[-1] >= 0.5 * (3000 - served) * 3
