"""A room on a throwaway SQLite database holding the shipped plan, seated for a benchmark
(``bench/classroom.py`` and ``bench/room_cpu.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLAN = "scale-from-zero"
# Seats the room and prints {"code", "teacher", "students": [session keys]} (run by Django),
# with the classroom tests' users, seats and sessions (tests/helpers/rooms.py), as
# bench/rooms.py seeds its rooms.
SETUP = """
import json, sys
sys.path.insert(0, "tests")
import django
django.setup()
from django.contrib.auth import get_user_model
from classrooms import services
from helpers.rooms import make_user, seat, session_for

teacher = get_user_model().objects.filter(username="bench-teacher").first()
if teacher is None:  # a second room in the same database (bench/room_cpu.py) has one
    teacher = make_user("bench-teacher", instructor=True)
room = services.room_create(instructor=teacher, plan_slug=sys.argv[1])
keys = [seat(room, f"Student {n + 1}")[0] for n in range(int(sys.argv[2]))]
print(json.dumps({"code": room.code, "teacher": session_for(teacher), "students": keys}))
"""


def seat_room(database: Path, students: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    plans = sorted(str(p) for p in (ROOT / "lessons" / "plans").glob("*.yaml"))
    subprocess.run([*manage, "load_lessons", *plans], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    out = subprocess.run([sys.executable, "-c", SETUP, PLAN, str(students)], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))
