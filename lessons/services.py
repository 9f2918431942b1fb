"""Writes: loading plans into the database, and recording a learner's progress.

A stage's "try it" experiments are recorded in its learner's row (``Progress.experiments``).
Keyword-only entry points named ``<entity>_<action>`` (HackSoft style). A learner
is a logged-in ``user`` or, for anyone else, the ``session_key`` of their session.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lessons import content
from lessons.content import MAX_ESTIMATE, guess_fits
from lessons.models import Plan, Progress, Stage

_PARKED = 1_000_000  # stage orders are moved past this while a plan is reordered


@transaction.atomic
def plan_load(
    *, plan: content.Plan, source_path: str = "", source_sha256: str = "", library: bool = True
) -> Plan:
    """Create or update (by slug) the plan and its stages from a loaded plan file.

    Stages are matched by slug: a stage that is still there keeps its learners'
    progress; one that is gone is deleted with its progress.
    """
    row, _created = Plan.objects.update_or_create(
        slug=plan.slug,
        defaults={
            "title": dict(plan.title),
            "summary": dict(plan.summary),
            "languages": list(plan.languages),
            "author": plan.author,
            "license": plan.license,
            "source_path": source_path,
            "source_sha256": source_sha256,
            "library": library,
        },
    )
    slugs = [stage.slug for stage in plan.stages]
    row.stages.exclude(slug__in=slugs).delete()
    existing = {stage.slug: stage for stage in row.stages.all()}
    for stage in existing.values():  # free every order before renumbering
        stage.order += _PARKED
    Stage.objects.bulk_update(existing.values(), ["order"])
    for order, stage in enumerate(plan.stages):
        if stage.slug in existing:
            kept = existing[stage.slug]
            kept.order, kept.data = order, stage.as_data()
            kept.save(update_fields=["order", "data"])
        else:
            Stage.objects.create(plan=row, order=order, slug=stage.slug, data=stage.as_data())
    return row


def plan_load_file(*, path: Path, display_path: str = "") -> Plan:
    """Read, validate and load one plan file; raises ``lessons.format.PlanError``."""
    from lessons.format import read_plan_file

    plan, raw = read_plan_file(path, source=display_path or str(path))
    return plan_load(
        plan=plan,
        source_path=display_path or str(path),
        source_sha256=hashlib.sha256(raw).hexdigest(),
    )


def _owner(*, user: Any, session_key: str) -> dict[str, Any]:
    if user is not None and getattr(user, "is_authenticated", False):
        return {"user": user}
    if not session_key:
        raise ValueError("progress needs a logged-in user or a session key")
    return {"user": None, "session_key": session_key}


def progress_get_or_create(*, user: Any, session_key: str, stage: Stage) -> Progress:
    owner = _owner(user=user, session_key=session_key)
    progress, _created = Progress.objects.get_or_create(stage=stage, **owner)
    return progress


def progress_check_choice(*, stage: Stage, choice: object) -> None:
    """Raise ``ValidationError`` unless ``choice`` answers the stage's prediction."""
    predict = stage.data.get("predict") or {}
    whole = isinstance(choice, int) and not isinstance(choice, bool)
    if predict.get("estimate") and not (whole and guess_fits(predict, choice)):  # type: ignore[arg-type]
        raise ValidationError(
            _("Estimate a whole number from 0 to %(limit)s.") % {"limit": f"{MAX_ESTIMATE:,}"},
            code="bad_estimate",
        )
    choices = predict.get("choices") or []
    if not whole or not guess_fits(predict, choice):  # type: ignore[arg-type]
        raise ValidationError(
            _("Choose one of the %(count)d answers.") % {"count": len(choices)}, code="bad_choice"
        )


def progress_record_prediction(
    *, user: Any, session_key: str, stage: Stage, choice: int
) -> Progress:
    """Remember the learner's answer to the stage's prediction (it may be changed)."""
    progress_check_choice(stage=stage, choice=choice)
    progress = progress_get_or_create(user=user, session_key=session_key, stage=stage)
    progress.prediction = choice
    progress.save(update_fields=["prediction", "updated_at"])
    return progress


def progress_complete(*, user: Any, session_key: str, stage: Stage) -> Progress:
    """Mark the stage done (the first time counts; later calls change nothing)."""
    progress = progress_get_or_create(user=user, session_key=session_key, stage=stage)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at", "updated_at"])
    return progress


def progress_record_experiment(
    *,
    user: Any,
    session_key: str,
    stage: Stage,
    experiment: str,
    prediction: int | None = None,
    completed: bool = False,
) -> Progress:
    """Remember a learner's prediction in, or completion of, one of ``stage``'s "try it"
    experiments (the first completion counts); ``ValueError`` for an unknown experiment."""
    if experiment not in stage.experiment_slugs:
        raise ValueError(f"{stage} has no experiment {experiment!r}")
    if prediction is not None:
        progress_check_choice(stage=stage.experiment(experiment), choice=prediction)
    with transaction.atomic():
        progress = progress_get_or_create(user=user, session_key=session_key, stage=stage)
        progress = Progress.objects.select_for_update().get(pk=progress.pk)
        record = dict((progress.experiments or {}).get(experiment) or {})
        if prediction is not None:
            record["prediction"] = prediction
        if completed and not record.get("completed_at"):
            record["completed_at"] = timezone.now().isoformat()
        progress.experiments = {**(progress.experiments or {}), experiment: record}
        progress.save(update_fields=["experiments", "updated_at"])
    return progress
