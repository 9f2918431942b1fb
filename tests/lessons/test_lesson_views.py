"""The learner's pages: plan list, overview with done marks, stage page, evolution, accounts."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.contrib.auth.models import User
from django.test import Client

from architect.sim.actions import LESSON_ACTIONS, fields
from lessons import services
from lessons.models import Progress, Stage

from helpers.page_forms import ws_forms
from helpers.plans import TOPOLOGY, plan, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return services.plan_load(plan=plan("first", "second", "third"))


def test_plan_list_links_every_plan(client, demo):
    html = client.get("/lessons/").content.decode()
    assert 'href="/lessons/demo/"' in html
    assert "Demo plan" in html and "3 stages" in html


def test_overview_marks_done_stages_in_text_not_colour_only(client, demo):
    key = client.session.session_key  # a guest who has kept progress has a session
    services.progress_complete(user=None, session_key=key, stage=demo.stages.get(slug="second"))
    html = client.get("/lessons/demo/").content.decode()
    marks = re.findall(
        r'<span class="plan-stage-mark">(.*?)</span>\s*<a href="([^"]+)"', html, re.S
    )
    assert [("Done" in m, url) for m, url in marks] == [
        (False, "/lessons/demo/first/"),
        (True, "/lessons/demo/second/"),
        (False, "/lessons/demo/third/"),
    ]
    assert "1 of 3 stages done." in html
    assert 'href="/lessons/demo/first/">Start' not in html  # “Continue” once something is done
    assert ">Continue</a>" in html


def test_stage_page_has_text_beside_the_sandbox_with_the_question_first(client, demo):
    response = client.get("/lessons/demo/second/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'ws-connect="/ws/lessons/demo/second/?lang=en"' in html
    assert "<strong>this</strong>" in html  # the Markdown body, rendered
    assert 'name="action" value="predict"' in html and 'value="skip_prediction"' in html
    assert "Which?" in html and "Because." not in html  # the why only after the run
    assert "<strong>Paused</strong>" in html
    assert 'rel="prev" href="/lessons/demo/first/"' in html
    assert 'rel="next" href="/lessons/demo/third/"' in html
    for part in ("lesson", "goal", "verdict", "status", "diagram", "controls", "metrics", "nodes"):
        assert f'id="{part}"' in html
    assert "sessionid" not in response.cookies  # reading creates no session (architect.guests)
    assert 'id="guest-session"' in html and '"X-CSRFToken": "' in html
    # the goal's condition (p99 < 200 ms) opens the explanation the page draws (#14.4)
    assert 'id="explain-goal-1" popovertarget="help-p99"' in html
    assert '<div id="help-p99" class="metric-help" popover>' in html


def test_stage_page_offers_only_the_stage_controls(client):
    separated = {
        **TOPOLOGY,
        "nodes": [*TOPOLOGY["nodes"], {"id": "db", "kind": "database", "size": "m"}],
        "links": [*TOPOLOGY["links"], ["web-1", "db"]],
    }  # a database of its own: a second web server can be added
    only = stage("only", topology=separated, controls=("add_web_server", "fail"))
    limited = replace(plan(), stages=(only,))
    services.plan_load(plan=limited)
    html = client.get("/lessons/demo/only/").content.decode()
    actions = set(re.findall(r'name="action" value="([a-z_]+)"', html))
    assert {"add_web_server", "fail"} <= actions
    assert not actions & {"set_traffic", "add_load_balancer", "add_cdn", "resize", "set_operations"}


def test_stage_page_in_korean(client, demo):
    html = client.get("/lessons/demo/first/", headers={"accept-language": "ko"}).content.decode()
    assert "단계 first" in html and "<strong>이것</strong>" in html
    assert "어느 것?" in html and "예측" in html


def test_unknown_plan_or_stage_is_404(client, demo):
    assert client.get("/lessons/nope/").status_code == 404
    assert client.get("/lessons/demo/nope/").status_code == 404
    assert client.get("/lessons/nope/evolution/").status_code == 404


def test_evolution_draws_every_stage_diagram_with_distinct_ids(client, demo):
    html = client.get("/lessons/demo/evolution/").content.decode()
    assert html.count('role="img"') == Stage.objects.filter(plan=demo).count()
    ids = re.findall(r'<title id="([^"]+)"', html)
    assert ids == ["diagram-first-title", "diagram-second-title", "diagram-third-title"]
    assert 'data-node="web-1"' in html


def test_signup_logs_in_and_keeps_the_guest_progress(demo):
    client = Client()
    client.get("/lessons/demo/first/")
    key = client.session.session_key
    services.progress_complete(user=None, session_key=key, stage=demo.stages.get(slug="first"))
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert Progress.objects.get(user=user).stage.slug == "first"
    html = client.get("/lessons/demo/").content.decode()
    assert "1 of 3 stages done." in html and "Signed in as ada" in html


def test_login_merges_the_session_and_logout_needs_a_csrf_post(demo):
    User.objects.create_user("bo", password="another-pass-phrase-7")
    client = Client(enforce_csrf_checks=True)
    client.get("/lessons/demo/first/")
    services.progress_complete(
        user=None, session_key=client.session.session_key, stage=demo.stages.get(slug="third")
    )
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {
            "username": "bo",
            "password": "another-pass-phrase-7",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert Progress.objects.get(user__username="bo").stage.slug == "third"
    assert client.post("/accounts/logout/").status_code == 403  # no token: refused
    token = client.cookies["csrftoken"].value
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "Signed in as" not in client.get("/lessons/demo/").content.decode()


def test_a_bad_signup_says_why_and_keeps_the_name(client):
    response = client.post(
        "/accounts/signup/", {"username": "cy", "password1": "x", "password2": "y"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="cy"' in html and 'role="alert"' in html
    assert not User.objects.filter(username="cy").exists()


def test_the_stage_page_offers_lesson_actions_in_the_vocabulary_terms(client):
    services.plan_load(
        plan=replace(plan("asks"), stages=(stage("asks"), stage("runs", predict=None)))
    )
    forms = [
        form
        for slug in ("asks", "runs")
        for form in ws_forms(client.get(f"/lessons/demo/{slug}/").content.decode())
    ]
    actions = {sent["action"] for sent, _names in forms}
    assert {"predict", "skip_prediction", "run", "hint"} <= actions <= set(LESSON_ACTIONS)
    for sent, names in forms:
        assert names - {"action"} <= set(fields(sent["action"], form=True)), sent


def test_the_last_stage_leads_to_the_end_of_the_plan(client, demo):
    html = client.get("/lessons/demo/third/").content.decode()
    assert 'rel="next" href="/lessons/demo/finished/"' in html


# The end of the plan worded by progress (#14): none, some and all of its stages done.
FINISHED_WORDS = {
    "en": {
        0: (
            "The end of “Demo plan”: no stage completed yet",
            "any of the 3 stages yet",
            "3 stages remain",
            "stage 1: Stage first",
        ),
        1: (
            "The end of “Demo plan”: 1 of 3 stages completed",
            "You completed 1 of 3 stages.",
            "2 stages remain",
            "stage 2: Stage second",
        ),
        3: ("You reached the end of “Demo plan”", "You completed all 3 stages."),
    },
    "ko": {
        0: ("아직 완료한 단계가 없습니다", "남은 단계는 3개", "1단계: 단계 first"),
        1: ("3단계 중 1단계 완료", "남은 단계는 2개", "2단계: 단계 second"),
        3: ("의 끝에 도착했습니다", "3개 단계를 모두 완료했습니다."),
    },
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_end_of_the_plan_says_what_was_completed_what_remains_and_what_to_read_next(
    client, demo, lang
):
    key = client.session.session_key
    done: list[str] = []
    for slug in (None, "first", "second", "third"):
        if slug:
            services.progress_complete(user=None, session_key=key, stage=demo.stages.get(slug=slug))
            done.append(slug)
        if len(done) == 2:
            continue
        page = client.get("/lessons/demo/finished/", headers={"accept-language": lang})
        html = page.content.decode()
        for word in FINISHED_WORDS[lang][len(done)]:
            assert word in html, (len(done), word)
        assert ("reached the end" in html or "도착했습니다" in html) == (len(done) == 3)
        continuing = re.search(r'<a href="([^"]+)" id="finished-continue">', html)
        first_open = next((s for s in ("first", "second", "third") if s not in done), None)
        assert (continuing and continuing[1]) == (first_open and f"/lessons/demo/{first_open}/")
        assert ("What to read next" in html) or ("다음에 읽을 거리" in html)
        marks = re.findall(r'<li class="plan-stage( plan-stage--done)?">', html)
        assert marks == [
            " plan-stage--done" if s in done else "" for s in ("first", "second", "third")
        ]
    assert 'href="/lessons/demo/evolution/"' in html and 'href="/sandbox/"' in html
    assert client.get("/lessons/nothing/finished/").status_code == 404


def test_a_missed_goal_is_not_drawn_as_a_success():
    from lessons.fragments import render

    def panel(met: bool) -> str:
        return render(["lesson"], {"phase": "done", "met": met, "goal": {"failed_s": 3}})

    assert "lesson-panel--missed" in panel(False) and "lesson-panel--met" not in panel(False)
    assert "lesson-panel--met" in panel(True)
