"""Guests get a session only when they have progress to keep (architect/guests.py): reading
creates none; the socket creates one and the page adopts it with a signed token."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from architect import guests
from lessons import services
from lessons.models import Progress

from helpers.plans import plan

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/sandbox/",
    "/lessons/",
    "/lessons/demo/",
    "/lessons/demo/first/",
    "/lessons/demo/second/",
    "/lessons/demo/evolution/",
    "/accounts/login/",
    "/accounts/signup/",
]


@pytest.fixture
def demo():
    return services.plan_load(plan=plan("first", "second"))


def guest_with_progress(demo, stage: str = "first", prediction: int = 1) -> str:
    """What the stage's socket does at a guest's first prediction: a new session."""
    key, created = guests.session_for("")
    assert created
    services.progress_record_prediction(
        user=None, session_key=key, stage=demo.stages.get(slug=stage), choice=prediction
    )
    return key


def adopt(client: Client, key: str, **extra) -> int:
    token = guests.token(key)
    return client.post("/accounts/guest/", {"token": token}, **extra).status_code


def test_reading_every_page_creates_no_session(client, demo):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "sessionid" not in response.cookies, page
    assert Session.objects.count() == 0


def test_the_page_adopts_the_sockets_session_and_sees_its_progress(client, demo):
    key = guest_with_progress(demo)
    assert adopt(client, key) == 204
    assert client.cookies["sessionid"].value == key
    html = client.get("/lessons/demo/first/").content.decode()
    assert "You predicted: “B”" in html


def test_adopting_needs_the_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.get("/lessons/demo/first/")
    key = guest_with_progress(demo)
    assert adopt(client, key) == 403
    token = client.cookies["csrftoken"].value
    assert adopt(client, key, headers={"x-csrftoken": token}) == 204


def test_a_forged_or_old_token_is_refused(client, demo, monkeypatch):
    key = guest_with_progress(demo)
    forged = signing.dumps(key, salt="another purpose")
    assert client.post("/accounts/guest/", {"token": forged}).status_code == 400
    assert client.post("/accounts/guest/", {"token": "junk"}).status_code == 400
    token = guests.token(key)
    later = signing.time.time() + guests.TOKEN_MAX_AGE_S + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.post("/accounts/guest/", {"token": token}).status_code == 400
    assert "sessionid" not in client.cookies


def test_a_browser_with_a_session_keeps_it_and_gets_the_progress(client, demo):
    own = client.session.session_key  # another tab kept progress first
    services.progress_complete(user=None, session_key=own, stage=demo.stages.get(slug="second"))
    key = guest_with_progress(demo)
    assert adopt(client, key) == 204
    assert client.cookies["sessionid"].value == own
    assert sorted(
        Progress.objects.filter(session_key=own).values_list("stage__slug", flat=True)
    ) == [
        "first",
        "second",
    ]
    assert not guests.alive(key)  # the socket's session is gone: it makes a new one next time


def test_a_logged_in_browser_gets_the_progress_on_its_account(client, demo):
    user = User.objects.create_user("ada", password="a-long-pass-phrase-9")
    client.force_login(user)
    key = guest_with_progress(demo)
    assert adopt(client, key) == 204
    assert Progress.objects.get(user=user).prediction == 1
    assert not guests.alive(key)


def test_sign_up_after_adopting_keeps_the_progress_and_changes_the_key(client, demo):
    key = guest_with_progress(demo)
    adopt(client, key)
    password = "a-long-pass-phrase-9"
    data = {"username": "bo", "password1": password, "password2": password}
    assert client.post("/accounts/signup/", data).status_code == 302
    assert Progress.objects.get(user__username="bo").prediction == 1
    assert client.cookies["sessionid"].value != key  # a token read off the page is now useless
    assert not guests.alive(key)


def test_expired_sessions_are_deleted_when_a_session_is_made_at_most_hourly(monkeypatch):
    clock = [10_000.0]
    monkeypatch.setattr(guests, "now", lambda: clock[0])
    monkeypatch.setattr(guests, "_last_clear", float("-inf"))

    def expired_session() -> str:
        key, _ = guests.session_for("")
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - timedelta(days=1)
        )
        return key

    old = expired_session()  # the first one also cleared (nothing yet)
    fresh, _ = guests.session_for("")  # within the hour: nothing cleared
    assert Session.objects.filter(session_key=old).exists()
    clock[0] += 3600
    newer, _ = guests.session_for("")
    assert not Session.objects.filter(session_key=old).exists()
    assert guests.alive(fresh) and guests.alive(newer)  # live sessions stay


def test_clearing_can_be_turned_off(settings, monkeypatch):
    settings.SESSION_CLEAR_EXPIRED_SECONDS = 0
    monkeypatch.setattr(guests, "_last_clear", float("-inf"))
    assert guests.clear_expired_now_and_then() is False


def test_clear_expired_deletes_the_progress_of_expired_guests_only(demo):
    """`manage.py clear_expired`: an expired guest's progress goes with its session; a live
    guest's and a user's stay (clearsessions alone would leave the first)."""
    expired = guest_with_progress(demo)
    alive = guest_with_progress(demo, stage="second")
    user = User.objects.create_user("ada")
    stage = demo.stages.get(slug="first")
    services.progress_get_or_create(user=user, session_key="", stage=stage)
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    out = StringIO()
    call_command("clear_expired", stdout=out)
    assert not Progress.objects.filter(session_key=expired).exists()
    assert Progress.objects.filter(session_key=alive).count() == 1
    assert Progress.objects.filter(user=user).count() == 1
    assert "1 progress" in out.getvalue()
