"""Two daphne processes on the Redis channel layer and PostgreSQL, as docs/deployment.md
runs them (issue #12.2-4).

A learner's sandbox follows them to the other process; a room with its instructor on
one process and students on both shows every student a change within 1 s; its owning
process is killed (SIGKILL) and the room resumes on the other within 5 s, with the same
architecture, every student back, and no ghost counted. The time limits are the
requirement itself; each is checked against when the messages came, polled generously.
Marked ``multiprocess``: `make test` runs it once, in the PostgreSQL pass.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.cluster import Daphne, Screen, database, environment, run_python

pytestmark = [pytest.mark.multiprocess, pytest.mark.redis]

CHANGE_S = 1.0  # a change reaches every student within this
RESUME_S = 5.0  # a dead owner's room resumes within this
# A dead connection stops counting within presence.alive_seconds() (4.5 s); the console
# redraws its dashboard at least every 2 s (consumers.DASHBOARD_SECONDS).
GHOST_S = 4.5 + 2.0 + 0.5
HANG_S = 30.0  # only stops a broken run from hanging

SEED = """
import json
from helpers.rooms import make_user, new_room, seat, session_for
teacher = make_user("teacher", instructor=True)
room = new_room(teacher)
print(json.dumps({
    "code": room.code, "room": room.id, "teacher": session_for(teacher),
    "learner": session_for(make_user("learner")),
    "students": [seat(room, f"Student {n}")[0] for n in range(5)],
}))
"""


class Cluster:
    def __init__(self, env: dict[str, str], seed: dict[str, Any], folder: Path) -> None:
        self.env, self.seed = env, seed
        self.web = [Daphne(env, folder / "a.log"), Daphne(env, folder / "b.log")]
        for process in self.web:
            process.wait_listening()

    def lease_owner_pid(self) -> int:
        """The pid of the process holding the room's lease (``host:pid:random``)."""
        import psycopg

        query = "SELECT lease_owner FROM classrooms_room WHERE id = %s"
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            row = connection.execute(query, (self.seed["room"],)).fetchone()
        assert row is not None
        return int(str(row[0]).split(":")[1])

    def stop(self) -> None:
        for process in self.web:
            process.stop()


@pytest.fixture(scope="module")
def cluster(
    postgres_url: str,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    url = database(postgres_url, "architect_multiprocess")
    env = environment(url, redis_url)
    seed = json.loads(run_python(SEED, env).strip().splitlines()[-1])
    running = Cluster(env, seed, tmp_path_factory.mktemp("daphnes"))
    try:
        yield running
    finally:
        running.stop()


async def test_a_sandbox_reconnected_to_the_other_process_is_as_it_was_left(cluster: Cluster):
    a, b = cluster.web
    here = await Screen("learner", a, "/ws/sandbox/", cluster.seed["learner"]).open()
    try:
        await here.first(lambda t: 'id="diagram"' in t, after=0, within=HANG_S)
        await here.send(action="set_traffic", rps="4321")
        await here.first(lambda t: "4321" in t, after=0, within=HANG_S)
    finally:
        await here.close()
    there = await Screen("learner", b, "/ws/sandbox/", cluster.seed["learner"]).open()
    try:  # its first drawing, from what the first process kept in the database
        _at, first = await there.first(lambda t: 'id="diagram"' in t, after=0, within=HANG_S)
        assert "4321" in first
    finally:
        await there.close()


def students_here(html: str) -> int | None:
    found = re.search(r"(\d+) students? here", html)
    return int(found.group(1)) if found else None


async def test_a_room_outlives_its_owning_process(cluster: Cluster):
    a, b = cluster.web
    seed = cluster.seed
    path = f"/ws/classroom/{seed['code']}"
    console = await Screen("console", a, f"{path}/console/", seed["teacher"]).open()
    students = [
        await Screen(f"student {n}", (a, b)[n % 2], f"{path}/student/", key).open()
        for n, key in enumerate(seed["students"])
    ]
    screens = [console, *students]
    try:
        for screen in screens:  # the whole room, drawn once, on both processes
            await screen.first(lambda t: 'id="diagram"' in t, after=0, within=HANG_S)

        sent = time.monotonic()
        await console.send(action="add_web_server")
        for student in students:
            at, _text = await student.first(lambda t: "web-2" in t, after=sent, within=HANG_S)
            assert at - sent <= CHANGE_S, f"{student.name} saw the change after {at - sent:.2f} s"

        owner = next(p for p in cluster.web if p.pid == cluster.lease_owner_pid())
        survivor = b if owner is a else a
        gone = students[-1]  # a phone on the dead process that does not come back
        assert gone.daphne is owner
        killed = time.monotonic()
        owner.kill()
        moved = [s for s in screens if s.daphne is owner and s is not gone]
        for screen in moved:  # the page reconnects; the proxy sends it to the survivor
            await screen.close()
            await screen.open(survivor)
        back = [s for s in students if s is not gone]

        for student in back:  # the new owner's states (the dead one's came long before)
            at, _text = await student.first(lambda t: True, after=killed + 0.5, within=HANG_S)
            assert at - killed <= RESUME_S, f"{student.name}: resumed after {at - killed:.2f} s"
        for screen in moved:  # its first drawing there: the architecture as it was
            _at, text = await screen.first(lambda t: 'id="diagram"' in t, after=killed, within=1)
            assert "web-2" in text
        owner_now = cluster.lease_owner_pid()
        assert owner_now == survivor.pid

        sent = time.monotonic()
        await console.send(action="add_cache")
        for student in back:  # every student is still in the room, with the same design
            at, text = await student.first(lambda t: "cache" in t, after=sent, within=HANG_S)
            assert at - sent <= CHANGE_S, f"{student.name} saw the change after {at - sent:.2f} s"
            assert "web-2" in text  # the diagram, drawn again, still has what it had

        # No ghosts: the phone that did not come back stops counting.
        at, _text = await console.first(
            lambda t: students_here(t) == len(back), after=killed, within=HANG_S
        )
        assert at - killed <= GHOST_S, f"a ghost counted for {at - killed:.2f} s"
    finally:
        for screen in screens:
            await screen.close()
