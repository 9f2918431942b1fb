"""The verdict of a run does not depend on how it was watched (#8.1).

The same stage and seed run at 1×, 2× and 5×, with the speed changed mid-run, paused and
resumed, and with uneven (slow) ticks: every simulated second of the judged span is judged
exactly once, from the engine's own closed seconds, and the records are the same. The
session is stepped by hand with the wall time each tick would have taken (no clock).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from architect.sim.commands import Pause, Resume, SetSpeed
from architect.sim.loader import dump_topology, load_topology
from lessons.experiment import Experiment, Phase
from lessons.format import load_plan
from lessons.goals import GoalStatus, judged_seconds
from lessons.plans import plan_files

TICK_S = 0.2  # the sandbox's wall-clock tick (settings.SANDBOX_TICK_SECONDS)
MAX_TICKS = 2_000

# What happens before tick ``i`` of a run: a command (or None) and the wall time of the tick.
Script = Callable[[int], tuple[Any, float]]


def steady(speed: int) -> Script:
    return lambda i: (SetSpeed(speed) if i == 0 else None, TICK_S)


def changed_mid_run(i: int) -> tuple[Any, float]:
    """1× for 30 ticks (6 s), then 5×, then 2× from tick 40; a pause of 10 ticks at 50."""
    commands = {0: SetSpeed(1), 30: SetSpeed(5), 40: SetSpeed(2), 50: Pause(), 60: Resume()}
    return commands.get(i), TICK_S


def slow_ticks(i: int) -> tuple[Any, float]:
    """5×, the ticks late by uneven amounts (a busy machine): 0.2 to 0.9 s of wall time."""
    return (SetSpeed(5) if i == 0 else None), TICK_S + (i * 7 % 8) / 10


SCRIPTS: dict[str, Script] = {
    "1x": steady(1),
    "2x": steady(2),
    "5x": steady(5),
    "changed mid-run": changed_mid_run,
    "slow ticks": slow_ticks,
}


def watch(data: dict[str, Any], script: Script) -> GoalStatus:
    """Run the experiment as the stage page does, one tick at a time, until it ends."""
    lab = Experiment(data)
    lab.predict(None)
    lab.run()
    for i in range(MAX_TICKS):
        command, wall_s = script(i)
        if command is not None:
            lab.apply(command)
        if lab.observe(lab.session.step(wall_s)):
            assert lab.phase == Phase.DONE and lab.result is not None
            return lab.result
    raise AssertionError("the run did not end")


def records(status: GoalStatus) -> tuple[object, ...]:
    return tuple(c.record for c in status.conditions)


@pytest.fixture(scope="module")
def single_server() -> dict[str, Any]:
    """The shipped plan's first stage: a lone server that fails at 10 s (not met as it starts)."""
    plan = load_plan(plan_files()[0].read_text(encoding="utf-8"), source="plan")
    return plan.stages[0].as_data()


def test_every_speed_judges_every_second_of_the_span_once_with_the_same_verdict(single_server):
    span = judged_seconds(single_server["goal"].get("from_s", 5), single_server["duration_s"])
    results = {name: watch(single_server, script) for name, script in SCRIPTS.items()}
    for name, status in results.items():
        assert status.done and status.checked_s == status.span_s == len(span), name
        assert [j.second for j in status.conditions[0].record] == list(span), name
    verdicts = {(s.met, s.failed_s, s.first_failure_s, records(s)) for s in results.values()}
    assert len(verdicts) == 1, {name: (s.met, s.failed_s) for name, s in results.items()}
    assert not results["1x"].met and results["1x"].failed_s > 0  # the failure at 10 s shows


# Above 20,000 req/s the engine carries the traffic as flows (aggregate mode).
HEAVY: dict[str, Any] = {
    "version": 1,
    "name": "Heavy",
    "traffic": {"rps": 24_000, "read_ratio": 0.8},
    "nodes": [
        {"id": "dns", "kind": "dns"},
        {"id": "lb", "kind": "load_balancer"},
        *({"id": f"web-{i}", "kind": "web_server", "size": "xl"} for i in range(1, 9)),
        {"id": "db", "kind": "database", "size": "xl"},
    ],
    "links": [
        ["dns", "lb"],
        *(["lb", f"web-{i}"] for i in range(1, 9)),
        *([f"web-{i}", "db"] for i in range(1, 9)),
    ],
    "events": [{"at": 8, "action": "fail", "node": "web-1"}],
}


def test_aggregate_mode_is_judged_alike_at_every_speed():
    data = {
        "topology": dump_topology(load_topology(HEAVY)),
        "duration_s": 15,
        "goal": {
            "from_s": 3,
            "conditions": [
                {"metric": "p99_ms", "below": 300},
                {"metric": "throughput_rps", "at_least": 23_000},
            ],
        },
    }
    results = [watch(data, SCRIPTS[name]) for name in ("1x", "5x", "changed mid-run")]
    lab = Experiment(data)
    lab.run()
    lab.session.step(1.0)
    assert lab.session.snapshot().mode == "aggregate"
    assert all(s.checked_s == s.span_s == 12 for s in results)
    assert len({(s.met, s.failed_s, records(s)) for s in results}) == 1
