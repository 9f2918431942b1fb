"""Logs, metrics and automation: who notices a failure, and how soon it is repaired."""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.commands import CommandError, FailNode, RestoreNode, SetOperations
from architect.sim.model import presets
from architect.sim.model.topology import Operations
from architect.sim.model.validate import validate
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind


def _availability_after_a_failure(
    operations: Operations, *, span_s: float = 600
) -> tuple[float, Simulation]:
    """Fail the single server at t=10 and measure availability until ``span_s``."""
    sim = Simulation(replace(presets.single_server(rps=50), operations=operations), seed=2)
    sim.advance(10)
    sim.window.reset_cumulative()
    sim.apply(FailNode("web-1"))
    sim.advance(span_s)
    measured = sim.window.cumulative
    return measured.served / (measured.served + measured.failed), sim


@pytest.mark.parametrize(
    ("operations", "repair_s", "who"),
    [
        (Operations(), 1800, "unmonitored"),
        (Operations(monitoring=True), 300, "manual"),
        (Operations(monitoring=True, automation=True), 30, "automated"),
    ],
)
def test_availability_follows_how_fast_failures_are_repaired(operations, repair_s, who):
    """Down for ``repair_s`` of the 600 s measured: availability ≈ 1 − down/600."""
    availability, sim = _availability_after_a_failure(operations)
    down = min(repair_s, 600)
    assert availability == pytest.approx(1 - down / 600, abs=0.02)
    repaired = [e for e in sim.snapshot().events if e.kind == EventKind.NODE_REPAIRED]
    if repair_s < 600:
        (event,) = repaired
        assert (event.node, event.text) == ("web-1", who)
        assert event.t - event.since == pytest.approx(repair_s, abs=1)
    else:
        assert not repaired


def test_turning_automation_on_during_an_outage_repairs_sooner():
    sim = Simulation(presets.single_server(rps=20), seed=3)
    sim.apply(FailNode("web-1"))
    sim.advance(60)
    sim.apply(SetOperations(monitoring=True, automation=True))
    sim.advance(5)
    assert sim.snapshot().node("web-1").status == "up"


def test_a_manual_restore_cancels_the_pending_repair():
    sim = Simulation(
        replace(
            presets.single_server(rps=20), operations=Operations(monitoring=True, automation=True)
        )
    )
    sim.apply(FailNode("web-1"))
    sim.advance(5)
    sim.apply(RestoreNode("web-1"))
    sim.advance(60)
    kinds = [e.kind for e in sim.snapshot().events]
    assert EventKind.NODE_REPAIRED not in kinds


def test_automation_needs_monitoring():
    sim = Simulation(presets.single_server())
    with pytest.raises(CommandError) as caught:
        sim.apply(SetOperations(monitoring=False, automation=True))
    assert caught.value.code == "automation_needs_monitoring"
    problems = validate(replace(presets.single_server(), operations=Operations(automation=True)))
    assert [p.path for p in problems] == ["operations.automation"]
