"""A stage's "try it" experiments: read by the plan's loader, checked like stages,
offered on the stage page once its goal is met, judged over their own socket, saved
per learner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from architect import guest_rows
from lessons import content, services
from lessons.checker import check_plan
from lessons.format import PlanError, load_plan
from lessons.models import Progress

from helpers.plans import TWO_TIERS, plan, stage
from helpers.websocket import ORIGIN, ManualTicks, answer, answers, connect, receive, send, until

TINY = (Path(__file__).parent / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
ANCHOR = "        reason: Any bigger size is vertical scaling, which is what this stage teaches.\n"
# 900 req/s on web-1 at l (16 workers × 25 ms: 640 req/s; 800 without the database's
# work) piles up; a second web server behind a balancer serves it.
EXPERIMENT = """\
    experiments:
      - slug: twice-the-traffic
        title: {en: Twice the traffic, ko: 두 배의 트래픽}
        body: {en: "Now 900 a second.", ko: "이제 초당 900개입니다."}
        TOPOLOGY
        scenario:
          traffic: {rps: 900}
          duration_s: 15
        controls: [separate_database, add_load_balancer, add_web_server]
        fixed: [traffic]
        goal:
          text: {en: p99 under 200 ms, ko: p99 200 ms 미만}
          conditions:
            - {metric: p99_ms, below: 200}
            - {metric: error_rate, at_most: 0.01}
        debrief: {en: "Two servers.", ko: 서버 두 대.}
        solution:
          - {action: separate_database}
          - {action: add_load_balancer}
          - {action: add_web_server}
"""


def with_experiment(topology: str = "", extra: str = "") -> str:
    block = EXPERIMENT.replace("TOPOLOGY", topology or "topology: {from: solution}")
    return TINY.replace(ANCHOR, ANCHOR + block + extra, 1)


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(text, source="tiny.yaml")
    return list(caught.value.problems)


def test_an_experiment_starts_where_the_stage_s_solution_left_it_by_default():
    for topology in ("topology: {from: solution}", "# from the solution by default"):
        first = load_plan(with_experiment(topology), source="tiny.yaml").stages[0]
        (experiment,) = first.experiments
        assert experiment.slug == "twice-the-traffic" and experiment.line == 49
        web = next(n for n in experiment.topology["nodes"] if n["id"] == "web-1")
        assert web["size"] == "l" and experiment.topology["traffic"]["rps"] == 900
        assert experiment.fixed == ("traffic",) and experiment.duration_s == 15
    stored = first.as_data()["experiments"][0]
    assert stored["slug"] == "twice-the-traffic" and stored["goal"]["conditions"][0] == {
        "metric": "p99_ms",
        "below": 200.0,
    }


def test_an_experiment_can_start_from_the_stage_s_start():
    first = load_plan(with_experiment("topology: {from: stage}"), source="tiny.yaml").stages[0]
    web = next(n for n in first.experiments[0].topology["nodes"] if n["id"] == "web-1")
    assert web["size"] == "s"


def test_an_experiment_s_problems_are_reported_at_their_lines():
    assert problems(with_experiment("topology: {from: previous}")) == [
        "tiny.yaml:52: stages[0].experiments[0].topology.from: "
        'must be "solution" or "stage" (or give a full topology)'
    ]
    bad = with_experiment().replace(
        "- {metric: p99_ms, below: 200}\n            - {metric: e",
        "- {metric: p98_ms, below: 200}\n            - {metric: e",
    )
    assert problems(bad)[0].startswith(
        'tiny.yaml:61: stages[0].experiments[0].goal.conditions[0].metric: unknown metric "p98_ms"'
    )
    nested = with_experiment(extra="        experiments: []\n")
    assert problems(nested) == [
        "tiny.yaml:68: stages[0].experiments[0].experiments: unknown field (expected one of "
        "slug, title, body, topology, scenario, controls, predict, goal, hints, debrief, "
        "solution, fixed, shortcuts)"
    ]
    twice = with_experiment(extra=EXPERIMENT.split("experiments:\n", 1)[1].replace("TOPOLOGY", ""))
    assert problems(twice) == [
        'tiny.yaml:68: stages[0].experiments[1].slug: "twice-the-traffic" is used by an '
        "earlier experiment of this stage"
    ]
    unsolved = with_experiment().replace(
        "          - {action: add_web_server}\n",
        "          - {action: resize, node: web-9, size: l}\n",
    )
    assert "stages[0].experiments[0].solution[2]: cannot be carried out" in problems(unsolved)[0]


def test_check_lessons_checks_each_experiment_like_a_stage():
    checks = {c.slug: c for c in check_plan(load_plan(with_experiment(), source="tiny.yaml"))}
    assert list(checks) == ["bigger-server", "bigger-server/twice-the-traffic", "survive-a-failure"]
    tried = checks["bigger-server/twice-the-traffic"]
    assert tried.ok, tried.problems()
    assert [r.status.met for r in tried.runs] == [False, True] * 3  # seeds 1–3
    outcomes = {o.shortcut.key: o for o in tried.shortcuts}
    assert outcomes["minimum_traffic"].blocked == "fixed: traffic, set_traffic not offered"
    assert outcomes["every_node_xl"].blocked == "resize not offered"
    assert not any(o.met for o in tried.shortcuts)  # each step is needed


def test_an_experiment_met_by_a_shortcut_fails_the_check():
    easy = with_experiment().replace(
        "            - {metric: p99_ms, below: 200}\n",
        "            - {metric: p99_ms, below: 100000}\n",
    )
    easy = easy.replace(
        '            - {metric: error_rate, at_most: 0.01}\n        debrief: {en: "Two',
        '            - {metric: cost_per_month, at_least: 0}\n        debrief: {en: "Two',
        1,
    )
    checks = {c.slug: c for c in check_plan(load_plan(easy, source="tiny.yaml"))}
    assert not checks["bigger-server/twice-the-traffic"].ok


# -- progress, pages and the socket ------------------------------------------------------

GOAL = content.Goal(
    text={"en": "Two web servers", "ko": "웹 서버 두 대"},
    conditions=(content.Condition("cost_per_month", "at_least", 400.0),),
    from_s=1.0,
)
TRY = stage(
    "again",
    topology=TWO_TIERS,
    title={"en": "Try again", "ko": "다시 해 보기"},
    goal=GOAL,
    duration_s=5.0,
    controls=("add_web_server",),
    predict=None,
    debrief={"en": "Tried.", "ko": "해 봄."},
)


def load() -> None:
    lab = stage("lab", topology=TWO_TIERS, experiments=(TRY,))
    services.plan_load(plan=replace(plan(), stages=(lab, stage("after"))))


@pytest.mark.django_db
def test_progress_keeps_each_experiment_per_learner_and_merges_at_log_in(client):
    load()
    lab = Progress._meta.get_field("stage").related_model.objects.get(slug="lab")
    key = "k" * 32
    services.progress_record_experiment(
        user=None, session_key=key, stage=lab, experiment="again", completed=True
    )
    with pytest.raises(ValueError):
        services.progress_record_experiment(
            user=None, session_key=key, stage=lab, experiment="nope"
        )
    row = Progress.objects.get(session_key=key)
    assert row.tried() == {"again"} and row.completed_at is None  # the stage is not done
    user = get_user_model().objects.create_user("ada", password="x" * 12)
    guest_rows.move(Progress, session_key=key, user=user)
    assert Progress.objects.get(user=user).tried() == {"again"}


@pytest.mark.django_db
def test_the_stage_page_offers_its_experiments_once_met_and_the_overview_counts_them(client):
    load()
    page = client.get("/lessons/demo/lab/").content.decode()
    assert 'id="try-again"' not in page  # not before the goal is met
    session = client.session
    session["lessons"] = True
    session.save()
    lab = Progress._meta.get_field("stage").related_model.objects.get(slug="lab")
    services.progress_complete(user=None, session_key=session.session_key, stage=lab)
    page = client.get("/lessons/demo/lab/").content.decode()
    assert '<a href="/lessons/demo/lab/try/again/" id="try-again">Try again</a>' in page
    tried = client.get("/lessons/demo/lab/try/again/")
    assert tried.status_code == 200
    assert 'ws-connect="/ws/lessons/demo/lab/try/again/?lang=en"' in tried.content.decode()
    assert client.get("/lessons/demo/lab/try/nope/").status_code == 404
    overview = client.get("/lessons/demo/").content.decode()
    assert "0 of 1 “try it” experiment done." in overview
    services.progress_record_experiment(
        user=None, session_key=session.session_key, stage=lab, experiment="again", completed=True
    )
    assert "1 of 1 “try it” experiment done." in client.get("/lessons/demo/").content.decode()
    ko = client.get("/lessons/demo/finished/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "You did" not in ko and "다시 해 보기" in ko


@pytest.fixture
def closed():
    yield
    connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ticks", "closed")
async def test_an_experiment_s_socket_judges_its_own_goal_and_saves_it(ticks: ManualTicks):
    await sync_to_async(load)()

    def new_key() -> str:
        store = SessionStore()
        store["lessons"] = True
        store.save()
        return str(store.session_key)

    key = await sync_to_async(new_key)()
    headers = [*ORIGIN, (b"cookie", f"sessionid={key}".encode())]
    ws = connect("/ws/lessons/demo/lab/try/again/", headers)
    assert (await ws.connect(timeout=10))[0]
    try:
        first = await receive(ws)
        assert (
            "lesson-panel--explore" in first
        )  # no question asked and 'value="add_web_server"' in first
        await send(ws, action="add_load_balancer")
        assert "does not offer" in await answer(ws)  # the experiment's controls, not the stage's
        await answers(
            ws, {"action": "add_web_server"}, {"action": "speed", "speed": "5"}, {"action": "run"}
        )
        done = await until(ws, lambda h: "Goal met." in h and 'id="lesson"' in h, ticks)
        assert "Tried." in done and 'id="back-to-stage" ' not in done
        assert 'href="/lessons/demo/lab/" id="back-to-stage"' in done

        async def saved() -> bool:
            for _ in range(100):
                row = await sync_to_async(Progress.objects.filter(session_key=key).first)()
                if row is not None and row.tried() == {"again"}:
                    return row.completed_at is None
                await ticks.tick(0)
            return False

        assert await saved()
    finally:
        await ws.disconnect()


@pytest.mark.django_db
def test_an_authored_plan_s_preview_offers_its_experiments(client):
    from authoring import services as authoring

    from helpers.rooms import make_user

    owner = make_user("olivia", instructor=True)
    draft = authoring.plan_create(owner=owner, text=with_experiment())
    lesson, found = authoring.preview_load(plan=draft)
    assert found == [] and lesson is not None
    first = lesson.stages.get(slug="bigger-server")
    assert first.experiment_slugs == ["twice-the-traffic"]
    page = client.get(first.get_experiment_url("twice-the-traffic"))
    assert page.status_code == 200 and "Twice the traffic" in page.content.decode()
