"""Guest learners part-way through the loaded plans, for the browser walk that starts at
each stage (tests/browser/test_lessons.py).

``print_learners`` runs inside the app under test (``manage.py shell``, on the browser
server's database): for every loaded plan, language and stage it creates a guest session
that has completed the plan's earlier stages and each of their "try it" experiments,
through the same services the lesson socket calls when a learner meets a goal, and prints
the session keys as JSON: ``{"<plan> <language> <stage index>": key}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import transaction

from architect import guests
from lessons import services
from lessons.models import Plan, Stage


def learner_name(plan: str, language: str, index: int) -> str:
    """The key of ``print_learners``' mapping."""
    return f"{plan} {language} {index}"


def completed(stages: Iterable[Stage]) -> str:
    """A new guest session that met the goal of every stage and experiment in ``stages``."""
    key, _new = guests.session_for("")
    for stage in stages:
        for experiment in stage.experiment_slugs:
            services.progress_record_experiment(
                user=None, session_key=key, stage=stage, experiment=experiment, completed=True
            )
        services.progress_complete(user=None, session_key=key, stage=stage)
    return key


@transaction.atomic
def print_learners(*languages: str) -> None:
    keys = {}
    for plan in Plan.objects.all():
        stages = list(plan.stages.order_by("order"))
        for language in languages:
            for index in range(len(stages)):
                keys[learner_name(plan.slug, language, index)] = completed(stages[:index])
    print(json.dumps(keys))
