"""The room's owner: its lease, its checkpoint (a restart resumes the room), and presence
without ghosts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from classrooms import lease, presence, runner, selectors
from classrooms.heartbeat import HEARTBEAT
from classrooms.models import Presence, Room

from helpers.rooms import Room_, refusal, until_text
from helpers.websocket import ManualTicks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("rooms_stopped")]


async def test_a_restarted_owner_resumes_the_room_from_its_checkpoint(room: Room_) -> None:
    console = await room.console()
    for action in ({"action": "add_web_server"}, {"action": "add_cache"},
                   {"action": "room_lock", "locked": "off"}, {"action": "poll_open"},
                   {"action": "speed", "speed": "2"}):  # fmt: skip
        assert await refusal(console, **action) == ""
    before = runner.running(room.room.id)
    assert before is not None
    nodes = {n.id for n in before.room_state.experiment.session.snapshot().nodes}
    assert {"web-2", "cache"} <= nodes
    await runner.stop_all()  # the process ends: it saves, and gives the room up
    saved = await room.fresh()
    assert saved.lease_owner == "" and saved.checkpoint["stage"] == 0
    assert {"web-2", "cache"} <= {
        n["id"] for n in saved.checkpoint["experiment"]["topology"]["nodes"]
    }
    after = await runner.ensure(room.room.id)  # the next process to see the room takes it
    assert after is not None and after is not before
    state = after.room_state
    assert {n.id for n in state.experiment.session.snapshot().nodes} == nodes
    assert state.experiment.session.speed == 2
    assert not state.control.locked and state.control.poll.open and state.control.poll.round == 1


async def test_one_process_holds_a_room_until_its_lease_runs_out(room: Room_) -> None:
    room_id = room.room.id
    take = sync_to_async(lease.acquire)
    assert await take(room_id=room_id, owner="p1", channel="c1", seconds=15)
    assert not await take(room_id=room_id, owner="p2", channel="c2", seconds=15)
    assert await take(room_id=room_id, owner="p1", channel="c1", seconds=15)  # renewed
    expired = timezone.now() - timedelta(seconds=1)
    await sync_to_async(Room.objects.filter(id=room_id).update)(lease_until=expired)
    assert await take(room_id=room_id, owner="p2", channel="c2", seconds=15)  # p1 died
    assert await sync_to_async(lease.holder)(room_id=room_id) == "p2"
    assert await runner.ensure(room_id) is None  # this process does not own it now


async def test_an_owner_that_lost_its_lease_stops(room: Room_, room_ticks: ManualTicks) -> None:
    await room.console()
    owner = runner.running(room.room.id)
    assert owner is not None
    await sync_to_async(Room.objects.filter(id=room.room.id).update)(lease_owner="someone-else")
    assert not await owner._renew()  # what its lease loop does every fifth of the lease
    assert runner.running(room.room.id) is None
    assert (await room.fresh()).lease_owner == "someone-else"


async def test_presence_leaves_no_ghosts(room: Room_, room_ticks: ManualTicks) -> None:
    console = await room.console()
    kim, kim_id = await room.student("Kim")
    await room.student("Lee")
    live = sync_to_async(lambda: selectors.live_participant_ids(room_id=room.room.id))
    assert len(await live()) == 2
    await kim.disconnect()  # a closed tab: gone at once
    room.screens.remove(kim)
    assert kim_id not in await live()
    await room_ticks.tick()
    assert "1 student here" in await until_text(console, 'id="dashboard"')
    # Another process died with a connection: its row is not renewed, so it stops counting
    # and the next heartbeat deletes it.
    stale = timezone.now() - timedelta(seconds=presence.alive_seconds() + 1)
    await sync_to_async(Presence.objects.create)(
        channel_name="dead", process="dead-process", room_id=room.room.id,
        role="student", participant_id=kim_id, seen_at=stale,
    )  # fmt: skip
    assert kim_id not in await live()
    await HEARTBEAT.beat()
    assert not await sync_to_async(Presence.objects.filter(channel_name="dead").exists)()
    assert await sync_to_async(Presence.objects.filter(room_id=room.room.id).count)() == 2


async def test_a_paused_room_still_tells_the_console_who_joined(
    room: Room_, room_ticks: ManualTicks
) -> None:
    console = await room.console()
    assert await refusal(console, action="pause") == ""
    await room_ticks.tick()
    await room.student("Kim")  # its first state is a private answer to its screen
    await room_ticks.tick()
    assert "1 student here" in await until_text(console, "student here")


async def test_a_process_with_screens_takes_over_a_room_whose_owner_died(
    room: Room_, room_ticks: ManualTicks
) -> None:
    console = await room.console()
    assert await refusal(console, action="add_web_server") == ""
    first = runner.running(room.room.id)
    assert first is not None
    await first.stop(release=False)  # as if its process died: no release
    rows = sync_to_async(Room.objects.filter(id=room.room.id).update)
    running = timezone.now() + timedelta(seconds=60)
    await rows(lease_owner="other-process", lease_until=running)
    await HEARTBEAT.take_over()  # the other owner is alive: nothing to take
    assert runner.running(room.room.id) is None
    await rows(lease_until=timezone.now() - timedelta(seconds=1))  # it stopped renewing
    await HEARTBEAT.take_over()
    taken = runner.running(room.room.id)
    assert taken is not None and taken is not first
    assert taken.seq > first.seq  # screens draw only what is newer than what they saw
    assert await sync_to_async(lease.holder)(room_id=room.room.id) == lease.PROCESS
    assert "web-2" in {n.id for n in taken.room_state.experiment.session.snapshot().nodes}
