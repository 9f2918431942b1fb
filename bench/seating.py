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
# Seats the room and prints {"code", "teacher", "students": [session keys]} (run by Django).
SETUP = """
import json, sys
from importlib import import_module
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from classrooms import services
from classrooms.permissions import instructors_group

store = import_module(settings.SESSION_ENGINE).SessionStore
def session(user=None):
    s = store()
    if user is not None:
        s["_auth_user_id"] = str(user.pk)
        s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        s["_auth_user_hash"] = user.get_session_auth_hash()
    else:
        s["classroom"] = True
    s.save()
    return s.session_key

teacher = get_user_model().objects.filter(username="bench-teacher").first()
if teacher is None:  # a second room in the same database (bench/room_cpu.py) has one
    teacher = get_user_model().objects.create_user("bench-teacher", password="x" * 20)
    teacher.groups.add(instructors_group())
    teacher = get_user_model().objects.get(pk=teacher.pk)
room = services.room_create(instructor=teacher, plan_slug=sys.argv[1])
keys = []
for n in range(int(sys.argv[2])):
    key = session()
    services.participant_join(room=room, name=f"Student {n + 1}", session_key=key, user=None)
    keys.append(key)
print(json.dumps({"code": room.code, "teacher": session(teacher), "students": keys}))
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
