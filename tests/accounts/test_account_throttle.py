"""Log-in and sign-up are throttled per address and per account, with doubling waits,
before any password is checked; Django's password validators refuse weak passwords.

Time is the throttle's ``now()``, moved by hand: no test sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from accounts import throttle

pytestmark = pytest.mark.django_db

LOGIN, SIGNUP = "/accounts/login/", "/accounts/signup/"
PASSWORD = "a-long-pass-phrase-9"


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(autouse=True)
def setup(settings, monkeypatch) -> Iterator[Clock]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    settings.ACCOUNT_THROTTLE = {
        "login_account": 3,
        "login_address": 6,
        "signup_account": 2,
        "signup_address": 3,
        "window_s": 900,
        "max_wait_s": 60,
    }
    clock = Clock()
    monkeypatch.setattr(throttle, "now", clock)
    cache.clear()
    yield clock
    cache.clear()


@pytest.fixture
def clock(setup: Clock) -> Clock:
    return setup


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """The user names the login form asked ``authenticate`` about (each a password hash)."""
    asked: list[str] = []
    real = auth_forms.authenticate

    def counting(request: Any = None, **credentials: Any) -> Any:
        asked.append(credentials.get("username", ""))
        return real(request, **credentials)

    monkeypatch.setattr(auth_forms, "authenticate", counting)
    return asked


def log_in(client: Client, name: str, password: str = "wrong", **extra: Any) -> Any:
    return client.post(LOGIN, {"username": name, "password": password}, **extra)


def sign_up(client: Client, name: str, password: str = PASSWORD, **extra: Any) -> Any:
    data = {"username": name, "password1": password, "password2": password}
    return client.post(SIGNUP, data, **extra)


def test_an_account_waits_1_2_4_seconds_after_its_free_failures(client, clock, password_checks):
    User.objects.create_user("ada", password=PASSWORD)
    for _ in range(3):
        assert log_in(client, "ada").status_code == 200  # the form says the password is wrong
    waits = []
    for _ in range(3):
        refused = log_in(client, "ada")
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock.advance(waits[-1])
        assert log_in(client, "ada").status_code == 200  # allowed again, and wrong again
    assert waits == [1, 2, 4]
    assert password_checks == ["ada"] * 6  # the three refusals checked no password


def test_the_right_password_is_refused_too_while_waiting_then_resets_the_account(client, clock):
    User.objects.create_user("ada", password=PASSWORD)
    for _ in range(3):
        log_in(client, "ada")
    assert log_in(client, "ada", PASSWORD).status_code == 429
    clock.advance(1)
    assert log_in(client, "ada", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(3):  # the account's count starts again from zero
        assert log_in(client, "ada").status_code == 200
    assert log_in(client, "ada").status_code == 429


def test_an_address_is_throttled_across_accounts(client, clock, password_checks):
    for n in range(6):
        assert log_in(client, f"guess-{n}").status_code == 200
    refused = log_in(client, "guess-6")
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    other = log_in(Client(REMOTE_ADDR="10.0.0.2"), "guess-6")
    assert other.status_code == 200  # another address is not held back
    assert len(password_checks) == 7


def test_a_success_does_not_reset_the_address(client, clock):
    User.objects.create_user("ada", password=PASSWORD)
    for n in range(6):
        log_in(client, f"guess-{n}")
    clock.advance(1)
    assert log_in(client, "ada", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert log_in(client, "guess-x").status_code == 200  # counted: the 7th failure
    assert log_in(client, "guess-y").status_code == 429


def test_failures_are_forgotten_after_the_window(client, clock):
    for _ in range(3):
        log_in(client, "ada")
    assert log_in(client, "ada").status_code == 429
    clock.advance(900)
    for _ in range(3):
        assert log_in(client, "ada").status_code == 200
    assert log_in(client, "ada").status_code == 429


def test_the_wait_doubles_up_to_the_longest(client, clock):
    for _ in range(3):
        log_in(client, "ada")
    waits = []
    for _ in range(8):
        wait = int(log_in(client, "ada")["Retry-After"])
        waits.append(wait)
        clock.advance(wait)
        log_in(client, "ada")
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_throttled_learner_reads_why_in_their_language(client, clock):
    for _ in range(3):
        log_in(client, "ada")
    english = log_in(client, "ada").content.decode()
    assert "Too many attempts. Please wait 1 second and try again." in english
    assert 'value="ada"' in english  # the name stays in the form
    korean = log_in(client, "ada", headers={"accept-language": "ko"})
    assert korean.status_code == 429
    assert "시도가 너무 많습니다. 1초 기다린 뒤 다시 시도하세요." in korean.content.decode()


@translation.override("en")
def test_long_waits_are_said_in_minutes():
    assert throttle.message(59) == "Too many attempts. Please wait 59 seconds and try again."
    assert throttle.message(600) == "Too many attempts. Please wait 10 minutes and try again."


def test_sign_ups_are_throttled_per_address(client, clock):
    for n in range(3):
        assert sign_up(client, f"learner-{n}").status_code == 302
        client.post("/accounts/logout/")
    refused = sign_up(client, "learner-3")
    assert refused.status_code == 429
    assert not User.objects.filter(username="learner-3").exists()
    assert sign_up(Client(REMOTE_ADDR="10.0.0.2"), "learner-3").status_code == 302


def test_failed_sign_ups_for_one_name_are_throttled(client, clock):
    User.objects.create_user("taken", password=PASSWORD)
    for _ in range(2):
        assert sign_up(client, "Taken ").status_code == 200  # the name is in use (any case)
    assert sign_up(client, "taken").status_code == 429


def test_ipv6_addresses_count_by_their_64_bit_network(rf):
    def key(addr: str) -> str:
        return throttle.address(rf.get("/", REMOTE_ADDR=addr))

    assert key("2001:db8::1") == key("2001:db8::ffff:1") == "2001:db8::/64"
    assert key("2001:db8:0:1::1") != key("2001:db8::1")
    assert key("192.0.2.7") == "192.0.2.7"
    assert key("") == "unknown"


@pytest.mark.parametrize(
    ("name", "password", "reasons"),
    [
        ("cy", "a", ["This password is too short. It must contain at least 8 characters."]),
        ("cy", "12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("learner-ada", "learner-ada", ["The password is too similar to the username."]),
    ],
)
def test_weak_passwords_are_refused(client, name, password, reasons):
    html = sign_up(client, name, password).content.decode().replace("&#x27;", "'")
    for reason in reasons:
        assert reason in html
    assert not User.objects.filter(username=name).exists()


def test_password_reasons_are_in_korean_from_djangos_catalogue(client):
    response = sign_up(client, "cy", "a", headers={"accept-language": "ko"})
    html = response.content.decode()
    assert "이 비밀번호는 너무 짧습니다. 최소 8자 이상이어야 합니다." in html
    assert not User.objects.filter(username="cy").exists()


def test_throttling_is_logged_once_per_key_not_per_attempt(client, clock, caplog):
    for _ in range(3):
        log_in(client, "ada")
    for _ in range(5):
        assert log_in(client, "ada").status_code == 429
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1, warnings
    assert "throttle:login_account:" in warnings[0] and "reached 3 attempts" in warnings[0]
