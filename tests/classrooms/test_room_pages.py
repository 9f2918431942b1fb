"""Starting a room, joining it from a phone, the QR code, the CSV, and the limits."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from classrooms import codes, join_limit, services
from classrooms.models import Participant, Room
from classrooms.permissions import can_run_rooms

from helpers.rooms import load_plan, make_user, new_room

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rooms_stopped")]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_grant_instructor_gives_and_takes_the_role() -> None:
    user = make_user("ada")
    assert not can_run_rooms(user)
    call_command("grant_instructor", "ada", stdout=io.StringIO())
    assert can_run_rooms(get_user_model().objects.get(username="ada"))
    call_command("grant_instructor", "ada", "--revoke", stdout=io.StringIO())
    assert not can_run_rooms(get_user_model().objects.get(username="ada"))


def test_an_instructor_starts_a_room_with_a_short_unambiguous_code() -> None:
    load_plan()
    client = signed_in(make_user("teacher", instructor=True))
    response = client.post("/classroom/", {"plan": "demo"})
    room = Room.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/classroom/{room.code}/"
    assert len(room.code) == 6 and set(room.code) <= set(codes.ALPHABET)
    assert not set("01IOLSZ258B") & set(codes.ALPHABET)
    assert [s["slug"] for s in room.stages] == ["one", "two"]  # pinned
    console = client.get(f"/classroom/{room.code}/").content.decode()
    assert f"/join/{room.code}/" in console and f"/ws/classroom/{room.code}/console/" in console
    projector = client.get(f"/classroom/{room.code}/projector/").content.decode()
    assert room.code in projector and f"/classroom/{room.code}/qr.svg" in projector
    qr = client.get(f"/classroom/{room.code}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert client.post("/classroom/", {"plan": "nope"}).status_code == 400


def test_a_student_joins_from_the_home_page_with_a_code_and_a_name() -> None:
    room = new_room(make_user("teacher", instructor=True))
    phone = Client()
    assert 'href="/join/"' in phone.get("/").content.decode()
    typed = f" {room.code.lower()[:3]}-{room.code.lower()[3:]} "  # as people type it
    response = phone.post("/join/", {"code": typed, "name": "  Kim   Min "})
    assert response.status_code == 302 and response["Location"] == f"/join/{room.code}/"
    page = phone.get(response["Location"]).content.decode()
    assert f"/ws/classroom/{room.code}/student/" in page
    assert Participant.objects.get().name == "Kim Min"
    phone.post("/join/", {"code": room.code, "name": "Kim"})  # the same seat again
    assert Participant.objects.count() == 1 and Participant.objects.get().name == "Kim"
    wrong = Client().post("/join/", {"code": "AAAAAA", "name": "Lee"})
    assert wrong.status_code == 400 and "no open class" in wrong.content.decode()
    nameless = Client().post("/join/", {"code": room.code, "name": "   "})
    assert nameless.status_code == 400 and "1 to 40" in nameless.content.decode()
    scanned = Client().get(f"/join/{room.code}/").content.decode()  # from the QR code
    assert f'value="{room.code}"' in scanned and 'id="join-name"' in scanned


def test_wrong_codes_are_limited_per_address_but_a_class_behind_one_address_joins(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    settings.CLASSROOM_JOIN_FAILURES, settings.CLASSROOM_JOIN_WINDOW_SECONDS = 3, 60
    clock = [6000.0]  # the start of a window
    monkeypatch.setattr(join_limit, "now", lambda: clock[0])
    room = new_room(make_user("teacher", instructor=True))
    school = {"REMOTE_ADDR": "10.1.1.1"}
    for n in range(5):  # a class on one network: right codes never count
        joined = Client(**school).post("/join/", {"code": room.code, "name": f"S{n}"})
        assert joined.status_code == 302
    for _ in range(3):
        wrong = Client(**school).post("/join/", {"code": "AAAAAA", "name": "Guess"})
        assert wrong.status_code == 400
    clock[0] += 15
    refused = Client(**school).post("/join/", {"code": room.code, "name": "Late"})
    assert refused.status_code == 429 and refused["Retry-After"] == "45"
    assert "Wait 45 seconds" in refused.content.decode()
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko", **school).post("/join/", {"code": "AAAAAA"})
    assert korean.status_code == 429 and "45초" in korean.content.decode()
    assert Participant.objects.filter(name="Late").count() == 0
    elsewhere = Client(REMOTE_ADDR="10.2.2.2").post("/join/", {"code": room.code, "name": "Lee"})
    assert elsewhere.status_code == 302  # another address is not slowed down
    clock[0] += 45  # the next window
    later = Client(**school).post("/join/", {"code": room.code, "name": "Late"})
    assert later.status_code == 302


def test_limits_on_students_and_rooms_are_settings(settings: Any) -> None:
    teacher = make_user("teacher", instructor=True)
    room = new_room(teacher)
    settings.CLASSROOM_MAX_PARTICIPANTS = 2
    for n in range(2):
        services.participant_join(room=room, name=f"S{n}", session_key=f"k{n}", user=None)
    with pytest.raises(ValidationError) as full:
        services.participant_join(room=room, name="S3", session_key="k3", user=None)
    assert full.value.code == "full"
    settings.CLASSROOM_MAX_ROOMS_PER_INSTRUCTOR = 2
    services.room_create(instructor=teacher, plan_slug="demo")
    with pytest.raises(ValidationError) as many:
        services.room_create(instructor=teacher, plan_slug="demo")
    assert many.value.code == "too_many_rooms"
    services.room_end(room=room)
    services.room_create(instructor=teacher, plan_slug="demo")  # an ended room frees a place
    with pytest.raises(ValidationError) as ended:
        services.participant_join(room=room, name="Late", session_key="k9", user=None)
    assert ended.value.code == "ended"


def test_the_results_download_as_csv_without_formulas() -> None:
    teacher = make_user("teacher", instructor=True)
    room = new_room(teacher)
    services.participant_join(room=room, name="=HYPERLINK(1)", session_key="k1", user=None)
    services.participant_join(room=room, name="Lee", session_key="k2", user=None)
    response = signed_in(teacher).get(f"/classroom/{room.code}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["number", "name"]
    assert {r[1] for r in rows[1:]} == {"'=HYPERLINK(1)", "Lee"}
    assert re.fullmatch(
        r"attachment; filename=\"room-\w{6}\.csv\"", response["Content-Disposition"]
    )
