"""A stage's simulation stepped in a worker process (``SIM_WORKERS``): the experiment
(phases, goal, progress) stays in the web process and judges the snapshots the worker
sends; a worker killed during a run resumes the stage from its checkpoint.

Ticks are driven by the test (``helpers.websocket.ManualTicks``), never by the wall clock.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from architect.sandbox import workers
from lessons import content, services

from helpers.plans import TWO_TIERS, plan, stage
from helpers.websocket import (
    HANG_S,
    ORIGIN,
    ManualTicks,
    answers,
    connect,
    error_of,
    receive,
    until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ticks")]

# One web server costs 306 $/month here, two cost 446 (the cost model): the goal needs two.
GOAL = content.Goal(
    text={"en": "Two web servers", "ko": "웹 서버 두 대"},
    conditions=(content.Condition("cost_per_month", "at_least", 400.0),),
    from_s=1.0,
)


@pytest.fixture(autouse=True)
def in_a_worker(settings):
    settings.SIM_WORKERS = 1
    yield
    workers.shutdown()
    connections.close_all()


def load() -> None:
    lab = stage("lab", topology=TWO_TIERS, goal=GOAL, duration_s=3.0, controls=("add_web_server",))
    services.plan_load(plan=replace(plan(), stages=(lab, stage("after"))))


async def test_a_stage_run_in_a_worker_begins_again_and_meets_its_goal_when_the_worker_dies(
    ticks: ManualTicks,
):
    await sync_to_async(load)()
    ws = connect("/ws/lessons/demo/lab/", list(ORIGIN))
    connected, _ = await ws.connect(timeout=HANG_S)  # a worker starts first
    assert connected
    try:
        await receive(ws)
        said = await answers(
            ws,
            {"action": "skip_prediction"},
            {"action": "add_web_server"},
            {"action": "speed", "speed": "5"},
            {"action": "run"},
        )
        assert [error_of(html) for html in said] == ["", "", "", ""]
        await until(ws, lambda h: 'id="goal"' in h, ticks)
        (worker,) = workers.configured_pool().workers  # type: ignore[union-attr]
        worker.process.kill()  # during the run: it begins again with the same architecture
        worker.process.wait()
        done = await until(ws, lambda h: "Goal met." in h and 'id="lesson"' in h, ticks)
        assert "✓" in done
        assert workers.configured_pool().workers[0] is not worker  # type: ignore[union-attr]
    finally:
        await ws.disconnect()
