"""``check_lessons`` on a draft, in a background worker (django-tasks, docs/authoring.md).

The request only queues the job (``check_start``); ``manage.py db_worker`` runs it and
writes each stage's result to its ``CheckRun`` as it finishes, which the page polls.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django_tasks import task

from architect.problem_text import reason_text
from architect.yamlmarks import YamlProblem, parse_with_lines
from authoring import problems
from authoring.models import CheckRun, Plan
from lessons.checker import StageCheck, check_stage


def check_start(*, plan: Plan, language: str) -> CheckRun:
    """Queue a check of the draft as it is now."""
    text = plan.draft.text
    run = CheckRun.objects.create(
        plan=plan, text=text, sha256=problems.sha256(text), language=language
    )
    transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: CheckRun) -> None:
    result = check_draft.enqueue(run.pk)
    CheckRun.objects.filter(pk=run.pk).update(task_id=str(result.id))


def _lines(text: str) -> dict[str, int]:
    try:
        return parse_with_lines(text)[1]
    except YamlProblem:
        return {}


@task()
def check_draft(run_id: int) -> None:
    """Check every stage of the run's text, saving the result stage by stage."""
    run = CheckRun.objects.get(pk=run_id)
    with translation.override(run.language):
        parsed, found = problems.parse(run.text)
        if parsed is None:
            run.error = "\n".join(f"{p['line']}: {p['where']}: {p['message']}" for p in found)
            run.finished = True
            run.save(update_fields=["error", "finished"])
            return
        lines = _lines(run.text)
        run.total_stages = len(parsed.stages)
        run.save(update_fields=["total_stages"])
        for index, stage in enumerate(parsed.stages):
            result = check_stage(stage)
            run.results.append(_stage_result(index, stage.slug, stage.line, result, lines))
            run.done_stages = index + 1
            run.save(update_fields=["results", "done_stages"])
    run.finished = True
    run.save(update_fields=["finished"])


def _stage_result(
    index: int, slug: str, line: int, result: StageCheck, lines: dict[str, int]
) -> dict[str, Any]:
    """One stage's verdict, in the active language; a failure points at the goal, the
    solution or the shortcuts."""
    path = f"stages[{index}]"
    faults = []
    for fault in result.faults():
        where = f"{path}.{fault.part}"
        if where not in lines:
            where = f"{path}.goal"  # shortcuts a plan does not list: the goal they meet
        text = reason_text(fault.reason, fault.params)
        faults.append({"line": lines.get(where, line), "where": where, "text": text})
    return {"slug": slug, "line": line, "ok": result.ok, "faults": faults}
