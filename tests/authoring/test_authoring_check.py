"""The draft's check runs in django-tasks' database queue, done by ``manage.py db_worker``
(another process in production: the request only queues it)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from authoring import services
from authoring.models import CheckRun

from helpers.authoring import STARTER_TEXT, fast_passwords  # noqa: F401 (an autouse fixture)
from helpers.rooms import make_user

# Committed for real: the worker closes its database connection after each job, as it
# would in its own process, which a test wrapped in one transaction would not survive.
pytestmark = pytest.mark.django_db(transaction=True)

# No server answers in under 1 ms when each request takes 25: the solution cannot meet the
# goal, and the check must say so at the solution's line.
UNSOLVED = STARTER_TEXT.replace("{metric: p99_ms, below: 200}", "{metric: p99_ms, below: 1}")


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_the_request_queues_the_check_and_a_worker_runs_it_stage_by_stage():
    owner = make_user("olivia", instructor=True)
    plan = services.plan_create(owner=owner, text=UNSOLVED)
    client = Client()
    client.force_login(owner)
    queued = client.post(reverse("authoring:check", args=[plan.slug]), HTTP_HX_REQUEST="true")
    run = CheckRun.objects.get()
    assert queued.status_code == 200 and "Waiting for a worker" in queued.content.decode()
    assert run.task_id and not run.finished  # nothing ran in the request
    polling = queued.content.decode()
    assert f'hx-get="{reverse("authoring:check_status", args=[plan.slug, run.pk])}"' in polling

    _work()
    run.refresh_from_db()
    assert run.error == "" and run.finished and run.done_stages == run.total_stages == 1
    [stage] = run.results
    solution_line = UNSOLVED.splitlines().index("    solution:") + 1
    assert stage["slug"] == "bigger-server" and not stage["ok"]
    assert stage["faults"][0]["line"] == solution_line
    assert "the goal is not met with the solution" in stage["faults"][0]["text"]
    page = client.get(reverse("authoring:check_status", args=[plan.slug, run.pk])).content.decode()
    assert "hx-trigger" not in page and f'data-line="{solution_line}"' in page


def test_a_failure_is_said_in_the_instructors_language():
    """The check's sentences go through gettext: a Korean instructor reads Korean, with the
    figures of the run (one seed, no shortcuts, to keep it cheap)."""
    from django.utils import translation

    from authoring import problems
    from authoring.tasks import _stage_result
    from lessons.checker import check_stage

    parsed, _found = problems.parse(UNSOLVED)
    assert parsed is not None
    result = check_stage(parsed.stages[0], seeds=(1,), shortcuts=False)
    lines = {"stages[0].solution": 40, "stages[0].goal": 30}
    english = _stage_result(0, "bigger-server", 9, result, lines)["faults"][0]
    with translation.override("ko"):
        korean = _stage_result(0, "bigger-server", 9, result, lines)["faults"][0]
    assert english["line"] == korean["line"] == 40
    assert english["text"].startswith(
        "seed 1: the goal is not met with the solution (p99_ms below 1 "
    )
    assert korean["text"].startswith(
        "시드 1: 해답을 적용해도 목표를 달성하지 못합니다(p99_ms 1 미만 "
    )
    assert "first in second" not in korean["text"] and "처음 실패는" in korean["text"]
