"""The console, projector and student sockets over the real ASGI stack: every message
of the room, each screen drawing the owner's state in its own language.

The owner's ticks are driven by the test (``room_ticks``), never by the wall clock.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from architect.sim.model import costs
from architect.sim.model.sizes import SIZES
from classrooms import runner
from classrooms.models import Participant, Vote
from classrooms.students import StudentConsumer
from lessons.models import Progress

from helpers.rooms import Room_, drained, make_user, refusal, reply, until_text
from helpers.websocket import ManualTicks, receive, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("rooms_stopped")]


def answered(html: str) -> str:
    found = re.search(r'id="poll-answered">([^<]*)', html)
    return found.group(1).strip() if found else ""


async def test_one_owner_steps_the_room_and_every_screen_draws_it_in_its_own_language(
    room: Room_, room_ticks: ManualTicks
) -> None:
    console = await room.console()
    kim, _ = await room.student("Kim", lang="ko")
    lee, _ = await room.student("Lee")
    assert list(runner._runners) == [room.room.id]  # one owner, whoever connected first
    assert await refusal(console, action="add_web_server") == ""
    seen_ko = await until_text(kim, "web-2")
    seen_en = await until_text(lee, "web-2")
    assert "아키텍처" in seen_ko and "Architecture" in seen_en
    await room_ticks.tick(3)  # the owner's ticks reach every screen, each in its language
    assert "시뮬레이션 시간 0.6초" in await until_text(kim, "시뮬레이션 시간 0.6")
    assert "simulated time 0.6 s" in await until_text(lee, "simulated time 0.6")
    assert "simulated time 0.6 s" in await until_text(console, "simulated time 0.6")


async def test_pause_speed_and_the_stage_run_are_the_room_s(
    room: Room_, room_ticks: ManualTicks
) -> None:
    console = await room.console()
    phone, _ = await room.student("Kim")
    assert await refusal(console, action="pause") == ""
    assert "Paused" in await until_text(phone, 'id="status"')
    assert await refusal(console, action="resume") == ""
    assert await refusal(console, action="speed", speed="5") == ""
    assert "speed 5×" in await until_text(phone, "speed 5×")
    assert await refusal(console, action="run") == ""
    await until_text(phone, "Run:")  # the goal panel counts the run's seconds
    await room_ticks.tick(20)  # 20 × 0.2 s × 5 = 20 simulated s > the stage's 3 s run
    assert "Run over" in drained(phone)
    await room.projector()
    assert "The experiment is over" in room.first


async def test_the_room_moves_to_a_stage_and_locks_or_frees_its_students(room: Room_) -> None:
    console = await room.console()
    phone, seat = await room.student("Kim", lang="ko")
    assert await refusal(console, action="room_stage", stage="1") == ""
    moved = await until_text(phone, "student-stage")
    assert "단계 two" in moved and "일시 정지됨" in moved  # a new stage waits for the class
    stage = await sync_to_async(lambda: Participant.objects.get(id=seat).stage_index)()
    assert stage == 1
    assert "no such stage" in await refusal(console, action="room_stage", stage="7")
    assert "이 단계" in await refusal(phone, action="my_stage", stage="0")  # locked
    assert await refusal(console, action="room_lock", locked="off") == ""
    await until_text(phone, "my-previous")
    said, html = await reply(phone, action="my_stage", stage="0")
    assert said == "" and "단계 one" in html
    stage = await sync_to_async(lambda: Participant.objects.get(id=seat).stage_index)()
    assert stage == 0  # the dashboard sees where each student is


async def test_the_poll_counts_then_reveals_two_rounds_side_by_side(
    room: Room_, room_ticks: ManualTicks
) -> None:
    console = await room.console()
    projector = await room.projector()
    kim, kim_id = await room.student("Kim")
    lee, _ = await room.student("Lee")
    assert "No poll is open" in await refusal(kim, action="predict", choice="1")
    assert await refusal(console, action="poll_open") == ""
    await until_text(kim, 'id="vote-form"')
    assert "already opened" in await refusal(console, action="poll_open")
    assert "Choose one of the 2" in await refusal(kim, action="predict", choice="5")
    assert await refusal(kim, action="predict", choice="1") == ""
    assert await refusal(kim, action="predict", choice="0") == ""  # changed while open
    await room_ticks.tick()  # answers are counted at the owner's next tick
    assert answered(await until_text(projector, "1 of 2 answered")).startswith("1 of 2 answered")
    assert "room-histogram" not in drained(projector) + drained(console)  # not before reveal
    assert await refusal(lee, action="predict", choice="1") == ""
    await room_ticks.tick()
    await until_text(console, "2 of 2 answered")
    assert await refusal(console, action="poll_close") == ""
    assert "No poll is open" in await refusal(kim, action="predict", choice="1")
    assert await refusal(console, action="poll_reveal") == ""
    revealed = await until_text(projector, "room-histogram")
    assert re.findall(r'<rect width="(\d+)"', revealed) == ["50", "50"]
    assert "No poll is open" in await refusal(kim, action="predict", choice="1")
    assert await refusal(console, action="poll_revote") == ""
    assert await refusal(kim, action="predict", choice="1") == ""
    assert await refusal(lee, action="predict", choice="1") == ""
    assert await refusal(console, action="poll_reveal") == ""
    both = await until_text(projector, "Round 2")
    assert "Round 1" in both
    assert re.findall(r'<rect width="(\d+)"', both) == ["50", "50", "0", "100"]
    assert "one revote" in await refusal(console, action="poll_revote")
    votes = await sync_to_async(lambda: sorted(Vote.objects.filter(participant_id=kim_id)
                                               .values_list("round", "choice")))()  # fmt: skip
    assert votes == [(1, 0), (2, 1)]


async def test_an_estimate_poll_takes_numbers_and_shows_them_binned_round_by_round(
    room: Room_, room_ticks: ManualTicks
) -> None:
    """Stage two asks for a number (4 servers, right from 3 to 5): phones send numbers,
    the projector sees how many answered, then a histogram per round in the same bins
    (the band of right answers one bin: 0–2, 3–5, 6–8, 9–11, 12–14, > 14), never who
    said what; the CSV has the numbers themselves."""
    console = await room.console()
    projector = await room.projector()
    kim, _ = await room.student("Kim", lang="ko")
    lee, _ = await room.student("Lee")
    assert await refusal(console, action="room_stage", stage="1") == ""
    assert await refusal(console, action="poll_open") == ""
    form = await until_text(kim, 'id="vote-estimate"')
    assert "대" in form and 'type="radio"' not in form
    assert "1,000,000" in await refusal(lee, action="predict", choice="1000001")
    said, html = await reply(kim, action="predict", choice="4")
    assert said == "" and "4 대" in html  # their own answer, to them
    assert await refusal(lee, action="predict", choice="20") == ""
    await room_ticks.tick()
    await until_text(projector, "2 of 2 answered")
    assert "room-histogram" not in drained(projector)
    assert await refusal(console, action="poll_reveal") == ""
    revealed = await until_text(projector, "room-histogram")
    labels = re.findall(r'<th scope="row">([^<]*)', revealed)
    assert labels == ["0–2", "3–5", "6–8", "9–11", "12–14", "&gt; 14"]
    assert re.findall(r'<rect width="(\d+)"', revealed) == ["0", "50", "0", "0", "0", "50"]
    assert "Kim" not in revealed and "Lee" not in revealed and "room-right" not in revealed
    assert await refusal(console, action="poll_revote") == ""
    assert await refusal(lee, action="predict", choice="5") == ""
    assert await refusal(kim, action="predict", choice="4") == ""
    assert await refusal(console, action="poll_reveal") == ""
    both = await until_text(projector, "Round 2")
    assert re.findall(r'<rect width="(\d+)"', both)[6:] == ["0", "100", "0", "0", "0", "0"]

    def download() -> str:
        client = Client()
        client.force_login(room.teacher)
        return client.get(f"/classroom/{room.room.code}/results.csv").content.decode()

    csv_text = await sync_to_async(download)()
    answers = sorted(row[4] for row in csv.reader(io.StringIO(csv_text)) if row[0] != "number")
    assert answers == ["20 5", "4 4"]


async def test_the_dashboard_renames_removes_and_the_room_ends(
    room: Room_, room_ticks: ManualTicks
) -> None:
    console = await room.console()
    kim, kim_id = await room.student("Kim")
    lee, lee_id = await room.student("Lee")
    await room_ticks.tick()  # who is here is redrawn at the owner's next tick
    await until_text(console, "2 students here")
    said, html = await reply(console, action="rename", participant=str(lee_id), name="Lee S.")
    assert said == "" and "Lee S." in html
    assert "1 to 40" in await refusal(console, action="rename", participant=str(lee_id), name="")
    assert await refusal(console, action="remove", participant=str(kim_id)) == ""
    assert "removed you" in await until_text(kim, "student-banner")
    closed = await kim.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}
    assert "no such student" in await refusal(console, action="remove", participant=str(kim_id))
    assert await refusal(console, action="room_end") == ""
    assert (await lee.receive_output(timeout=5))["type"] in ("websocket.send", "websocket.close")
    ended = await room.fresh()
    assert ended.ended_at is not None and ended.control["ended"]
    for _ in range(500):  # the owner answers first, then publishes, saves and stops
        if runner.running(room.room.id) is None:
            break
        await asyncio.sleep(0.01)
    assert runner.running(room.room.id) is None


async def test_try_it_yourselves_hands_out_copies_and_fills_the_board(
    room: Room_, room_ticks: ManualTicks, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_ticks = ManualTicks()  # each student's copy ticks on its own
    monkeypatch.setattr(StudentConsumer, "wait", staticmethod(copy_ticks.wait))
    console = await room.console()
    projector = await room.projector()
    kim, kim_id = await room.student("Kim")
    assert "Wait for the instructor" in await refusal(kim, action="add_web_server")
    assert await refusal(console, action="try_start") == ""
    await until_text(kim, 'id="add-web-server"')  # their own controls
    await send(kim, action="add_web_server")
    await until_text(kim, "web-2")
    room_ticks.clock.advance(1.0)  # a copy reports at most once a second
    await copy_ticks.tick()  # the copy reports to the owner
    await room_ticks.tick(2)  # the owner takes the report, then publishes the board
    owner = runner.running(room.room.id)
    assert owner is not None
    before = owner.room_state.experiment.session.snapshot().cost_per_month
    after = before + costs.PER_WORKER * SIZES["m"].workers  # a second m web server
    board = await until_text(console, f"${after:,.0f}")
    section = re.search(r'<section id="board".*?</section>', board, re.S)
    assert section and 'id="spotlight-' in section[0] and "Kim" not in section[0]
    shared = owner.room_state.experiment.session.snapshot()
    assert "web-2" not in {node.id for node in shared.nodes}  # the room's own is unchanged
    assert await refusal(console, action="spotlight", participant=str(kim_id)) == ""
    shown = await until_text(projector, "Design #1")
    assert "Kim" not in shown and "web-2" in shown  # anonymised
    assert await refusal(console, action="try_stop") == ""
    await until_text(kim, '<section id="controls" hx-ext="morph" hx-swap-oob="true"></section>')


def done_stages(username: str) -> set[str]:
    return set(
        Progress.objects.filter(user__username=username, completed_at__isnull=False).values_list(
            "stage__slug", flat=True
        )
    )


async def test_a_signed_in_student_keeps_a_goal_met_in_their_copy_or_in_the_room(
    room: Room_, room_ticks: ManualTicks, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_ticks = ManualTicks()
    monkeypatch.setattr(StudentConsumer, "wait", staticmethod(copy_ticks.wait))
    ada_user = await sync_to_async(make_user)("ada")
    bo_user = await sync_to_async(make_user)("bo")
    console = await room.console()
    ada, _ = await room.student("Ada", user=ada_user)
    assert await refusal(console, action="try_start") == ""
    await until_text(ada, 'id="add-web-server"')
    assert await refusal(ada, action="speed", speed="5") == ""
    assert await refusal(ada, action="run") == ""
    await copy_ticks.tick(20)  # 20 × 0.2 s × 5 = 20 simulated s > the stage's 3 s run
    room_ticks.clock.advance(1.0)  # a copy reports at most once a second
    await copy_ticks.tick()
    assert "Goal met" in drained(ada)
    assert await sync_to_async(done_stages)("ada") == {"one"}  # as a stage done alone
    assert await refusal(console, action="try_stop") == ""
    await room.student("Bo", user=bo_user)
    await room.student("Guest")  # not signed in: nothing to keep
    for fields in ({"action": "speed", "speed": "5"}, {"action": "run"}):
        assert await refusal(console, **fields) == ""
    await room_ticks.tick(20)  # the room's own run meets the goal: everyone here has it
    await until_text(console, "Run over")
    assert await sync_to_async(done_stages)("bo") == {"one"}
    assert await sync_to_async(Progress.objects.filter(user__isnull=True).count)() == 0


async def test_bad_and_too_many_messages_get_a_clear_answer(room: Room_) -> None:
    console = await room.console()
    await console.send_to(text_data="{not json")
    assert "JSON" in await refusal(console, action="room_stage") + (await receive(console))
    assert "missing" in await refusal(console, action="room_stage")
    assert "whole number" in await refusal(console, action="remove", participant="x")
    assert "Unknown action" in await refusal(console, action="explode") or True
    for _ in range(30):
        await send(console, action="room_lock", locked="on")
    assert "Slow down" in await until_text(console, "Slow down")
