"""A room's messages to its screens (``classrooms.fanout``): the owner hands each state to
the screens of its own process first hand, and sends it once through the channel layer
for the screens of other processes, whose relay hands it on to theirs.

"Another process" here is a second member of the room's group on the in-memory channel
layer (what another process's relay is on Redis): it receives what the owner publishes,
and what it sends reaches this process's screens through this process's relay. The real
two-process run is tests/multiprocess.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.layers import get_channel_layer

from classrooms import fanout, lease
from classrooms.students import StudentConsumer

from helpers.rooms import Room_, drained, until_text
from helpers.websocket import ManualTicks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("rooms_stopped")]


async def test_a_screen_here_and_one_in_another_process_both_get_the_room_s_update(
    room: Room_, room_ticks: ManualTicks, monkeypatch: pytest.MonkeyPatch
) -> None:
    handled: list[tuple[str, int]] = []  # (student, state number) as each phone draws it
    draw = StudentConsumer.room_state

    async def recorded(screen: StudentConsumer, message: dict[str, Any]) -> None:
        handled.append((screen.lang, int(message["seq"])))
        await draw(screen, message)

    monkeypatch.setattr(StudentConsumer, "room_state", recorded)
    await room.console()
    kim, _ = await room.student("Kim")
    lee, _ = await room.student("Lee", lang="ko")
    assert fanout.screens(room.room.id) == 3  # one relay for the room's screens here
    layer = get_channel_layer()
    elsewhere = await layer.new_channel()  # another process's relay
    await layer.group_add(fanout.viewers_group(room.room.id), elsewhere)
    await room_ticks.tick()
    # there: once through the layer, as text, marked with the owner's process
    published = await layer.receive(elsewhere)
    assert published["type"] == "room.state" and published["process"] == lease.PROCESS
    assert "view" not in published and json.loads(published["text"])["seq"] == published["seq"]
    # here: first hand, before the owner's tick ended
    assert ("en", published["seq"]) in handled and ("ko", published["seq"]) in handled
    assert "speed 1×" in drained(kim) and "속도 1×" in drained(lee)

    # An owner in another process publishes: its state reaches the screens here through
    # this process's relay (the speed it shows is the other owner's).
    state = json.loads(published["text"])
    state["status"]["speed"] = 3
    state["seq"] = published["seq"] + 1
    await layer.group_send(
        fanout.viewers_group(room.room.id),
        {"type": "room.state", "seq": state["seq"], "text": json.dumps(state),
         "process": "another-host:1:abc"},
    )  # fmt: skip
    assert "speed 3×" in await until_text(kim, "speed 3×")
    assert "속도 3×" in await until_text(lee, "속도 3×")
    # The relay skipped the copy of the tick's state it got from its own process (it came
    # before the other owner's): each phone drew each state once.
    assert len(handled) == len(set(handled))
    assert ("en", state["seq"]) in handled and ("ko", state["seq"]) in handled


async def test_the_last_screen_of_a_room_here_leaves_its_relay(room: Room_) -> None:
    console = await room.console()
    kim, _ = await room.student("Kim")
    assert fanout.screens(room.room.id) == 2
    for ws in (kim, console):
        await ws.disconnect()
        room.screens.remove(ws)
    assert fanout.screens(room.room.id) == 0
    assert room.room.id not in fanout._relays
