"""Nothing lost on a reconnect or a reload: the learner's simulation is kept on the server
(architect.sandbox.keeping, lessons.keeping) and a new socket or page starts from it.

Ticks are driven by the test (``helpers.websocket.ManualTicks``), never by the wall clock.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client

from architect import guest_rows, guests
from architect.sandbox import keeping
from architect.sandbox.live import LiveSession
from architect.sandbox.models import KeptSimulation
from architect.sim.commands import AddWebServer, SeparateDatabase, SetSpeed, SetTraffic
from architect.sim.model.presets import single_server
from lessons import services
from lessons.experiment import Experiment, Phase
from lessons.keeping import experiment_state, restore_experiment

from helpers.plans import TWO_TIERS, plan, stage
from helpers.websocket import ORIGIN, ManualTicks, answer, connect, receive, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ticks")]

WEB_SERVER_2 = re.compile(r'id="[^"]*web-2')


@pytest.fixture(autouse=True)
def close_connections():
    yield
    connections.close_all()


def sandbox(session_key: str = ""):
    headers = list(ORIGIN)
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return connect("/ws/sandbox/", headers)


def guest_token(html: str) -> str | None:
    match = re.search(r'name="token" value="([^"]+)"', html)
    return match.group(1) if match else None


@sync_to_async
def rows() -> list[KeptSimulation]:
    return list(KeptSimulation.objects.all())


@sync_to_async
def sessions() -> int:
    return Session.objects.count()


async def built(ws: WebsocketCommunicator) -> str:
    """Separate the database and add a second web server; the last answer."""
    await send(ws, action="separate_database")
    first = await answer(ws)
    await send(ws, action="add_web_server")
    return first + await answer(ws)


async def test_a_guests_architecture_is_kept_in_a_new_session_and_a_new_socket_starts_from_it():
    ws = sandbox()
    await ws.connect()
    try:
        assert not WEB_SERVER_2.search(await receive(ws))
        answers = await built(ws)
    finally:
        await ws.disconnect()
    token = guest_token(answers)
    key = guests.read_token(token or "")
    assert key, "the page is handed its new session to adopt"
    [row] = await rows()
    assert row.session_key == key and row.place == keeping.SANDBOX
    assert [n["id"] for n in row.data["topology"]["nodes"]] == ["dns", "web-1", "db", "web-2"]

    again = sandbox(key)  # the server restarted, or the network came back
    await again.connect()
    try:
        first = await receive(again)
        assert WEB_SERVER_2.search(first)
        assert guest_token(first) is None  # the session is already the page's
    finally:
        await again.disconnect()


async def test_a_guest_who_only_moves_the_clock_gets_no_session():
    ws = sandbox()
    await ws.connect()
    try:
        await receive(ws)
        for fields in ({"action": "pause"}, {"action": "speed", "speed": "5"}):
            await send(ws, **fields)
            assert guest_token(await answer(ws)) is None
    finally:
        await ws.disconnect()
    assert await sessions() == 0 and await rows() == []


def test_a_reload_of_the_sandbox_shows_the_kept_architecture_not_a_single_server():
    client = Client()
    assert not WEB_SERVER_2.search(client.get("/sandbox/").content.decode())
    assert "sessionid" not in client.cookies  # reading creates no session
    key, _created = guests.session_for("")
    session = LiveSession(single_server)
    session.apply(SeparateDatabase())
    session.apply(AddWebServer())
    session.apply(SetTraffic(750))
    session.apply(SetSpeed(2))
    state = keeping.session_state(session)
    keeping.kept_save(user=None, session_key=key, place=keeping.SANDBOX, data=state)
    client.cookies["sessionid"] = key
    page = client.get("/sandbox/").content.decode()
    assert WEB_SERVER_2.search(page)
    assert 'value="750"' in page  # the traffic the learner set
    assert re.search(r'aria-pressed="true">2', page.split('id="speed-2"')[1][:40])


def test_a_logged_in_learners_simulation_is_theirs_and_a_guests_moves_to_them_at_log_in():
    user = get_user_model().objects.create_user("ada", password="a long passphrase 42")
    key, _ = guests.session_for("")
    session = LiveSession(single_server)
    session.apply(SeparateDatabase())
    keeping.kept_save(
        user=None, session_key=key, place="sandbox", data=keeping.session_state(session)
    )
    assert guest_rows.move(KeptSimulation, session_key=key, user=user) == 1
    assert keeping.kept_get(user=None, session_key=key, place="sandbox") is None
    kept = keeping.kept_get(user=user, session_key="", place="sandbox")
    assert kept is not None and len(kept["topology"]["nodes"]) == 3


def test_a_kept_state_that_no_longer_loads_is_ignored():
    session = LiveSession(single_server)
    junks: tuple[object, ...] = (
        None,
        {},
        {"topology": {"nodes": "x"}, "speed": 1, "paused": False},
        [],
    )
    for junk in junks:
        assert not keeping.restore_session(session, junk)
    good = keeping.session_state(session)
    assert not keeping.restore_session(session, {**good, "speed": 3})  # not one of SPEEDS
    assert keeping.restore_session(session, good)


# --- A stage -------------------------------------------------------------------------------


def lab_data() -> dict[str, object]:
    services.plan_load(plan=replace(plan(), stages=(stage("lab", topology=TWO_TIERS),)))
    from lessons.models import Stage

    return dict(Stage.objects.get(slug="lab").data)


def test_a_stage_under_way_comes_back_as_the_same_run_from_its_start():
    data = lab_data()
    experiment = Experiment(data, prediction=0)
    experiment.apply(AddWebServer())
    experiment.apply(SetTraffic(300))
    experiment.run()
    experiment.session.step(1.0)
    state = experiment_state(experiment)
    again = Experiment(data, prediction=0)
    assert restore_experiment(again, state)
    assert again.phase == Phase.RUNNING and again.runs == 1
    assert again.session.snapshot().t == 0.0  # a run is judged from its beginning
    assert [n.id for n in again.session.snapshot().nodes if n.id.startswith("web")] == [
        "web-1",
        "web-2",
    ]
    assert again.session.snapshot().offered_rps == pytest.approx(300)  # the learner's traffic


def test_a_stage_page_reloads_with_the_learners_architecture():
    lab_data()
    client = Client()
    assert not WEB_SERVER_2.search(client.get("/lessons/demo/lab/").content.decode())
    key, _ = guests.session_for("")
    experiment = Experiment(lab_data(), prediction=0)
    experiment.apply(AddWebServer())
    keeping.kept_save(
        user=None,
        session_key=key,
        place=keeping.stage_place("demo", "lab"),
        data=experiment_state(experiment),
    )
    client.cookies["sessionid"] = key
    assert WEB_SERVER_2.search(client.get("/lessons/demo/lab/").content.decode())


async def test_a_stages_socket_starts_from_the_kept_stage(ticks: ManualTicks):
    await sync_to_async(lab_data)()
    ws = connect("/ws/lessons/demo/lab/", list(ORIGIN))
    await ws.connect()
    try:
        await receive(ws)
        answers = []
        for fields in ({"action": "skip_prediction"}, {"action": "add_web_server"}):
            await send(ws, **fields)
            answers.append(await answer(ws))
    finally:
        await ws.disconnect()
    tokens = [guest_token(html) for html in answers if guest_token(html)]
    assert len(tokens) == 1  # at the first change worth keeping: the second server
    key = guests.read_token(tokens[0] or "")
    assert key
    again = connect("/ws/lessons/demo/lab/", [*ORIGIN, (b"cookie", f"sessionid={key}".encode())])
    await again.connect()
    try:
        first = await receive(again)
        assert WEB_SERVER_2.search(first)
        assert "Skip the prediction" not in first  # the question was skipped before
    finally:
        await again.disconnect()


def test_a_guests_kept_simulations_go_with_their_expired_session():
    key, _ = guests.session_for("")
    other, _ = guests.session_for("")
    state = keeping.session_state(LiveSession(single_server))
    for owner_key in (key, other):
        keeping.kept_save(user=None, session_key=owner_key, place="sandbox", data=state)
    Session.objects.filter(session_key=key).delete()  # expired and cleared
    assert guest_rows.delete_orphans(KeptSimulation.objects.all()) == 1
    assert [row.session_key for row in KeptSimulation.objects.all()] == [other]
