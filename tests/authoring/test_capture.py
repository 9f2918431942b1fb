"""Capture from the lesson editor's sandbox: the log of what its editor did
(``authoring.capture``), its socket (``authoring.consumers``) and the stage form's capture
buttons, which write the architecture, the solution and the recorded events into the YAML.

Ticks are driven by the test (``helpers.websocket.ManualTicks``), never by the wall clock.
"""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from architect.sim.commands import (
    AddLoadBalancer,
    AddWebServer,
    FailNode,
    ResizeNode,
    SeparateDatabase,
    SetTraffic,
)
from architect.sim.loader import dump_topology
from architect.sim.model.presets import single_server
from authoring import capture_views, problems, services
from authoring.capture import Capture, fingerprint, rebuilds, start_topology

from helpers.authoring import STARTER_TEXT, editing_stage_zero, fast_passwords, stage_form  # noqa: F401 (an autouse fixture)
from helpers.rooms import make_user, session_for
from helpers.websocket import ORIGIN, answer, connect, send

START = dump_topology(single_server())


def test_actions_are_solution_steps_and_recorded_failures_events():
    log = Capture(fingerprint(START))
    log.note(AddLoadBalancer(), at=0.4)
    log.note(FailNode("web-1"), at=1.0)  # not recording: a step like any other
    log.recording = True
    log.note(FailNode("web-2"), at=12.34)
    log.note(SetTraffic(250.0), at=15.0)
    log.note(AddWebServer(), at=16.0)  # an architecture change is never an event
    assert log.steps == [
        {"action": "add_load_balancer"},
        {"action": "fail", "node": "web-1"},
        {"action": "add_web_server"},
    ]
    assert log.events == [
        {"at": 12.3, "action": "fail", "node": "web-2"},
        {"at": 15, "action": "set_traffic", "rps": 250},
    ]
    log.clear()
    assert (log.steps, log.events, log.recording) == ([], [], True)


def test_a_kept_log_of_another_start_or_shape_is_dropped():
    log = Capture(fingerprint(START), steps=[{"action": "add_cache"}])
    kept = log.as_data()
    assert Capture.from_data(kept, log.start).steps == [{"action": "add_cache"}]
    assert Capture.from_data(kept, "another-start").steps == []
    assert Capture.from_data({**kept, "steps": "add_cache"}, log.start).steps == []
    assert Capture.from_data({**kept, "steps": [{}] * 51}, log.start).steps == []


def test_a_kept_log_reads_back_in_the_order_it_was_written():
    """PostgreSQL's jsonb gives a mapping's keys back shortest first (``at``, ``node``,
    ``action``): the log shows them as noted, or a captured line would change with the
    database."""
    log = Capture(fingerprint(START), recording=True)
    log.note(ResizeNode("web-1", "l"), at=0.2)
    log.note(FailNode("web-1"), at=1.2)
    written = log.as_data()
    jsonb = {
        **written,
        "steps": [dict(sorted(s.items(), key=lambda kv: (len(kv[0]), kv[0]))) for s in log.steps],
        "events": [dict(sorted(e.items(), key=lambda kv: (len(kv[0]), kv[0]))) for e in log.events],
    }
    assert list(jsonb["events"][0]) != list(log.events[0])  # the reordering is real
    kept = Capture.from_data(jsonb, log.start)
    assert [list(s) for s in kept.steps] == [list(s) for s in log.steps]
    assert [list(e) for e in kept.events] == [["at", "action", "node"]]


def test_the_solution_is_checked_to_rebuild_the_architecture():
    log = Capture(fingerprint(START))
    built = single_server()
    from architect.sim.simulation import Simulation

    sim = Simulation(built, seed=1)
    steps = (SeparateDatabase(), AddLoadBalancer(), AddWebServer(), ResizeNode("web-1", "l"))
    for command in steps:
        sim.apply(command)
        log.note(command, at=0.0)
    now = dump_topology(sim.current_topology())
    assert rebuilds(START, log.steps, now)
    assert not rebuilds(START, log.steps[:-1], now)  # one step short: another architecture
    assert not rebuilds(START, [{"action": "fail", "node": "web-9"}], now)  # refused


def test_the_start_has_the_traffic_not_the_scripted_events():
    topology = {**START, "events": [{"at": 5, "action": "fail", "node": "web-1"}]}
    assert start_topology(topology) == START


@pytest.fixture
def close_connections():
    yield
    connections.close_all()


@sync_to_async
def _plan_with_editor():
    owner = make_user("olivia", instructor=True)
    other = make_user("oscar", instructor=True)
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    return plan, owner, session_for(owner), session_for(other)


def _socket(slug: str, session_key: str, lang: str = "en"):
    headers = [*ORIGIN, (b"cookie", f"sessionid={session_key}".encode())]
    return connect(f"/ws/author/{slug}/0/?lang={lang}", headers)


def _panel(html: str) -> str:
    match = re.search(r'<section id="capture".*?</section>', html, re.S)
    assert match, "the capture panel was not sent"
    return match.group(0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ticks", "close_connections")
async def test_capture_a_solution_and_recorded_events_into_the_stage(ticks):
    plan, owner, mine, theirs = await _plan_with_editor()
    # only the plan's editors may open its sandbox
    stranger = _socket(plan.slug, theirs)
    assert await stranger.connect() == (False, 4403)

    ws = _socket(plan.slug, mine, lang="ko")
    assert (await ws.connect())[0]
    assert "해답: 동작 0개" in _panel(
        await ws.receive_from()
    )  # the panel, in the socket's language
    await send(ws, action="resize", node="web-1", size="l")
    assert "{action: resize, node: web-1, size: l}" in _panel(await answer(ws))
    await send(ws, action="record", on="on")
    await answer(ws)
    await ticks.tick(5)  # the tick on connecting and 5 more, of 0.2 s each at 1×: 1.2 s
    await send(ws, action="fail", node="web-1")
    seconds = round(6 * settings.SANDBOX_TICK_SECONDS * settings.SANDBOX_TIME_SCALE, 1)
    panel = _panel(await answer(ws))
    assert f"{{at: {seconds:g}, action: fail, node: web-1}}" in panel
    await send(ws, action="set_traffic", rps="80")
    await answer(ws)
    await ws.disconnect()

    @sync_to_async
    def capture_and_read() -> tuple[list[object], list[object], str]:
        client = Client()
        client.force_login(owner)
        url = reverse("authoring:stage", args=[plan.slug, 0])
        form = stage_form(client.get(url))
        done = client.post(url, {**form, "action": "capture_solution"})
        assert done.status_code == 302
        said = client.get(done["Location"]).content.decode()
        client.post(url, {**stage_form(client.get(url)), "action": "capture_events"})
        plan.draft.refresh_from_db()
        parsed, found = problems.parse(plan.draft.text)
        assert found == [] and parsed is not None
        stage = parsed.stages[0]
        return list(stage.solution), list(stage.topology["events"]), said

    solution, events, said = await capture_and_read()
    assert solution == [{"action": "resize", "node": "web-1", "size": "l"}]
    assert events == [
        {"at": seconds, "action": "fail", "node": "web-1"},
        {"at": seconds, "action": "set_traffic", "rps": 80},
    ]
    assert "applied at the start, they build the" in said


@pytest.mark.django_db
def test_capture_the_topology_and_the_sandbox_starts_again_from_it():
    owner, plan, client, url = editing_stage_zero()
    form = stage_form(client.get(url))
    nothing = client.post(url, {**form, "action": "capture_topology"})
    assert nothing.status_code == 400 and "nothing of this stage" in nothing.content.decode()
    # what the socket keeps after an architecture change (capture_views.place)
    start = capture_views.stage_start(plan, 0)
    assert start is not None
    from architect.sandbox.keeping import kept_save
    from architect.sim.loader import load_topology
    from architect.sim.simulation import Simulation

    sim = Simulation(load_topology(start), seed=1)
    sim.apply(AddLoadBalancer())
    built = dump_topology(sim.current_topology())
    log = Capture(fingerprint(start), steps=[{"action": "add_load_balancer"}])
    kept = {"topology": built, "speed": 1, "paused": False, "seed": 1, "capture": log.as_data()}
    kept_save(user=owner, session_key="", place=capture_views.place(plan, 0), data=kept)
    assert client.post(url, {**form, "action": "capture_topology"}).status_code == 302
    plan.draft.refresh_from_db()
    parsed, found = problems.parse(plan.draft.text)
    assert found == [] and parsed is not None
    assert {n["kind"] for n in parsed.stages[0].topology["nodes"]} >= {"load_balancer"}
    # the stage starts elsewhere now: its sandbox's kept log is of the old start
    frame = client.get(reverse("authoring:capture_frame", args=[plan.slug, 0]))
    assert frame.status_code == 200 and "add_load_balancer" not in frame.content.decode()
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ticks", "close_connections")
async def test_capture_works_when_the_steps_run_in_a_worker(ticks, settings):
    """With ``SIM_WORKERS`` the simulation is stepped in a worker process: the log takes
    each action at the simulated time the worker reached, and a new socket goes on from
    the kept sandbox and its log (the worker rebuilds the architecture)."""
    from architect.sandbox import workers

    settings.SIM_WORKERS = 1
    resized = "{action: resize, node: web-1, size: l}"
    plan, _owner, mine, _theirs = await _plan_with_editor()
    try:
        ws = _socket(plan.slug, mine)
        assert (await ws.connect(timeout=30))[0]  # a worker starts first
        await ws.receive_from(timeout=30)
        assert len(workers.configured_pool().workers) == 1  # type: ignore[union-attr]
        await send(ws, action="resize", node="web-1", size="l")
        assert resized in _panel(await answer(ws))
        await send(ws, action="record", on="on")
        await answer(ws)
        await ticks.tick(5)
        await send(ws, action="fail", node="web-1")
        seconds = round(6 * settings.SANDBOX_TICK_SECONDS * settings.SANDBOX_TIME_SCALE, 1)
        assert f"{{at: {seconds:g}, action: fail, node: web-1}}" in _panel(await answer(ws))
        await ws.disconnect()

        again = _socket(plan.slug, mine)
        assert (await again.connect(timeout=30))[0]
        panel = _panel(await again.receive_from(timeout=30))
        assert resized in panel
        assert f"{{at: {seconds:g}, action: fail, node: web-1}}" in panel
        await send(again, action="reset")
        assert resized not in _panel(await answer(again))
        await again.disconnect()
    finally:
        workers.shutdown()
