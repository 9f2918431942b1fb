"""First run: after ``migrate``, load the shipped plans when there are none yet."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _


def load_plans_on_first_run(
    *, using: str = DEFAULT_DB_ALIAS, verbosity: int = 1, **kwargs: Any
) -> int:
    """Load every ``lessons/plans/*.yaml`` when the plan table is empty; returns how many loaded.

    A plan with problems is skipped with a warning (its problems in the active
    language, ``settings.LANGUAGE_CODE`` unless one is active): ``migrate`` must not fail
    because of a lesson (``manage.py check_lessons`` reports it in full), and the other
    plans still load. Any other error while loading one plan is reported the same way
    (its loading is one transaction: nothing of it is kept).
    Set ``LESSONS_LOAD_ON_MIGRATE = False`` to turn this off.
    """
    from lessons import services
    from lessons.format import PlanError
    from lessons.models import Plan
    from lessons.plans import display_path, plan_files
    from lessons.problem_text import plan_error_text

    if using != DEFAULT_DB_ALIAS or not getattr(settings, "LESSONS_LOAD_ON_MIGRATE", True):
        return 0
    if Plan.objects.exists():
        return 0
    loaded = 0
    for path in plan_files():
        name = display_path(path)
        try:
            services.plan_load_file(path=path, display_path=name)
            loaded += 1
        except Exception as error:  # never let one lesson break ``migrate``
            why = (
                plan_error_text(error)
                if isinstance(error, PlanError)
                else f"{type(error).__name__}: {error}"
            )
            sys.stderr.write(
                _("Lesson plan %(name)s was not loaded:") % {"name": name} + f"\n{why}\n"
            )
    if loaded and verbosity >= 1:
        sys.stdout.write(f"  Loaded {loaded} lesson plan(s) from lessons/plans/\n")
    return loaded
