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
