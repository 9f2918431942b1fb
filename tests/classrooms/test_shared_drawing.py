"""What a room draws once and shares: a state message's parts across the screens of one
language, and the console's dashboard only when it changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from architect.sandbox import fragments as sandbox
from architect.sandbox.live import LiveStatus
from architect.sim.loader import load_topology
from architect.sim.simulation import Simulation
from classrooms import fragments, panels, services
from classrooms.fragments import Parts, RoomView
from classrooms.state import Control
from lessons.models import Plan, Stage

from helpers.plans import TOPOLOGY, stage
from helpers.rooms import make_user, new_room


def view(seq: int, room_id: int = 1) -> RoomView:
    simulation = Simulation(load_topology(TOPOLOGY), seed=1)
    simulation.advance(seq)
    return RoomView(
        seq=seq,
        snapshot=simulation.snapshot(),
        status=LiveStatus(paused=False, speed=1, ratio=None),
        control=Control(),
        run={"phase": "idle", "runs": 0, "duration_s": 3, "from_s": None, "goal": None},
        poll={},
        board=[],
        spotlight=None,
        roster=0,
        room_id=room_id,
    )


def test_screens_of_one_language_share_each_part_and_another_language_draws_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[tuple[str, ...]] = []
    real = sandbox.render

    def counting(parts: Any, context: dict[str, Any]) -> str:
        drawn.append(tuple(parts))
        return real(parts, context)

    monkeypatch.setattr(sandbox, "render", counting)
    one = stage("one").as_data()
    page = Stage(plan=Plan(slug="demo", title={}, languages=["en", "ko"]), order=0, slug="one",
                 data=one)  # fmt: skip
    message = view(7)
    with translation.override("en"):
        phones = fragments.simulation_parts(message, Parts(), ("status", "diagram"), full=True)
        projector = fragments.simulation_parts(message, Parts(), ("diagram",), full=True)
        goal = fragments.goal_part(message, page, Parts(), full=True)
        assert goal == fragments.goal_part(message, page, Parts(), full=True)
    assert projector in phones and 'id="diagram"' in projector
    assert drawn == [("status",), ("diagram",)]  # the projector's diagram was the phones'
    with translation.override("ko"):
        korean = fragments.simulation_parts(message, Parts(), ("diagram",), full=True)
    assert drawn[-1] == ("diagram",) and len(drawn) == 3
    assert korean != projector  # in its own words
    fragments.simulation_parts(view(8), Parts(), ("diagram",), full=True)
    assert len(drawn) == 4  # the next message is drawn anew


@pytest.mark.django_db
def test_the_dashboard_is_drawn_again_only_when_what_it_shows_changed() -> None:
    room = new_room(make_user("teacher", instructor=True))
    services.participant_join(room=room, name="Kim", session_key="k1", user=None)
    shown, html = panels.dashboard_html(room=room, lang="en")
    assert "Kim" in html and "under a minute" in html
    assert panels.dashboard_html(room=room, lang="en", drawn=shown) == (shown, "")
    services.participant_join(room=room, name="Lee", session_key="k2", user=None)
    again, html = panels.dashboard_html(room=room, lang="en", drawn=shown)
    assert again != shown and "Lee" in html
    assert panels.stuck_text(59) == "under a minute" and panels.stuck_text(125) == "2 min"


def test_each_room_keeps_its_latest_drawings_however_many_rooms_a_process_serves() -> None:
    """Twenty rooms, two languages, four parts: each room's parts of its latest messages
    are still there when its other screens ask (a fixed 64 in all were not)."""
    fragments._DRAWN.clear()
    made: list[tuple[int, int, str, str]] = []

    def drawn(room: int, seq: int, lang: str, part: str) -> Any:
        shown = view(seq, room_id=room) if (room, seq) not in views else views[room, seq]
        views[room, seq] = shown

        def draw() -> str:
            made.append((room, seq, lang, part))
            return f"{lang}-{part}"

        with translation.override(lang):
            return fragments.once(shown, part, draw)

    views: dict[tuple[int, int], RoomView] = {}
    parts = ("status", "metrics", "diagram", "goal")
    for room in range(20):
        for lang in ("en", "ko"):
            for part in parts:
                drawn(room, 1, lang, part)
    first = len(made)
    assert first == 20 * 2 * 4
    for room in range(20):  # every other screen of every room: nothing drawn again
        for lang in ("en", "ko"):
            for part in parts:
                drawn(room, 1, lang, part)
    assert len(made) == first
    # a room keeps only its latest messages: the oldest goes as new ones come
    for seq in range(2, 2 + fragments.SEQS_KEPT):
        drawn(0, seq, "en", "status")
    drawn(0, 1, "en", "status")
    assert made[-1] == (0, 1, "en", "status")  # drawn again: no longer kept
    assert set(fragments._DRAWN[0]) == set(range(2, 2 + fragments.SEQS_KEPT))
