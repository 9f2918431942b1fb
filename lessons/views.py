"""The learner's pages: plans, a plan's overview, a stage with its live sandbox, evolution.

Thin function views: reads come from ``selectors``, the live panels' context from
``fragments`` (the same the WebSocket sends later).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from architect.sandbox.diagram import layout
from architect.sandbox.fragments import page_context
from architect.sandbox.keeping import kept_get, stage_place
from architect.sim.loader import load_topology
from architect.sim.simulation import Simulation
from lessons import fragments, selectors
from lessons.experiment import Experiment
from lessons.keeping import experiment_place, restore_experiment
from lessons.markdown import render_markdown
from lessons.models import Plan, Progress, Stage
from lessons.outlines import metric_links


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def _learner(request: HttpRequest) -> dict[str, Any]:
    user = request.user if request.user.is_authenticated else None
    return {"user": user, "session_key": request.session.session_key or ""}


def _plan(slug: str) -> Plan:
    try:
        return selectors.plan_get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404(slug) from None


def _progress(request: HttpRequest, plan: Plan) -> dict[str, Progress]:
    return selectors.progress_for(**_learner(request), plan=plan)


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    plans = [
        {
            "plan": p,
            "title": p.text("title", lang),
            "summary": p.text("summary", lang),
            "stages": len(p.stages.all()),
        }
        for p in selectors.plan_list()
    ]
    return render(request, "lessons/plan_list.html", {"plans": plans})


def _stages(request: HttpRequest, plan: Plan, lang: str) -> list[dict[str, Any]]:
    """The plan's stages with their titles, goals and whether this learner completed each
    (and each of its "try it" experiments)."""
    progress = _progress(request, plan)
    return [
        {
            "stage": s,
            "title": s.text("title", lang),
            "goal": s.text("goal.text", lang),
            "done": s.slug in progress and progress[s.slug].completed,
            "tries": fragments.tries(
                s, lang, progress[s.slug].tried() if s.slug in progress else set()
            ),
        }
        for s in plan.stages.all()
    ]


def _tries_count(stages: list[dict[str, Any]]) -> dict[str, int]:
    """How many of the plan's "try it" experiments the learner did, of how many."""
    offered = [t for s in stages for t in s["tries"]]
    return {"tries_done": sum(t["done"] for t in offered), "tries_total": len(offered)}


@require_safe
def plan_detail(request: HttpRequest, plan: str) -> HttpResponse:
    row, lang = _plan(plan), _lang()
    stages = _stages(request, row, lang)
    done = sum(s["done"] for s in stages)
    following = next((s["stage"] for s in stages if not s["done"]), None)
    return render(
        request,
        "lessons/plan.html",
        {
            "plan": row,
            "title": row.text("title", lang),
            "summary": row.text("summary", lang),
            "stages": stages,
            "done": done,
            "total": len(stages),
            "following": following,
            **_tries_count(stages),
        },
    )


@require_safe
def stage_detail(request: HttpRequest, plan: str, stage: str) -> HttpResponse:
    row = _stage(plan, stage)
    lang = _lang()
    progress = _progress(request, row.plan).get(row.slug)
    before, after = selectors.stage_neighbours(stage=row)
    context = _live_context(
        request,
        row,
        lang,
        prediction=progress.prediction if progress else None,
        done=bool(progress and progress.completed),
        next_url=after.get_absolute_url() if after else row.plan.get_finished_url(),
        last=after is None,
        offers=fragments.tries(row, lang, progress.tried() if progress else set()),
    )
    context |= {
        "previous": before,
        "previous_title": before.text("title", lang) if before else "",
        "next": after,
        "next_title": after.text("title", lang) if after else "",
    }
    return render(request, fragments.TEMPLATE, context)


@require_safe
def experiment_detail(request: HttpRequest, plan: str, stage: str, experiment: str) -> HttpResponse:
    """One of a stage's "try it" experiments: a second scenario with its own goal, judged
    like the stage's, on the stage's page layout."""
    row = _stage(plan, stage)
    try:
        view = row.experiment(experiment)
    except Stage.DoesNotExist:
        raise Http404(experiment) from None
    lang = _lang()
    progress = _progress(request, row.plan).get(row.slug)
    context = _live_context(
        request,
        view,
        lang,
        prediction=progress.experiment_prediction(experiment) if progress else None,
        done=experiment in (progress.tried() if progress else set()),
        next_url=row.get_absolute_url(),
        place=experiment_place(plan, stage, experiment),
    )
    context |= {"stage_title": row.text("title", lang), "experiment": experiment}
    return render(request, fragments.TEMPLATE, context)


def _stage(plan: str, stage: str) -> Stage:
    try:
        return selectors.stage_get(plan_slug=plan, stage_slug=stage)
    except Stage.DoesNotExist:
        raise Http404(stage) from None


def _live_context(
    request: HttpRequest,
    row: Stage,
    lang: str,
    *,
    prediction: int | None,
    done: bool,
    next_url: str,
    last: bool = False,
    offers: list[dict[str, Any]] | None = None,
    place: str = "",
) -> dict[str, Any]:
    """A stage's (or an experiment's) page: its live sandbox, its lesson panel, its text."""
    experiment = Experiment(row.data, prediction=prediction)
    kept = kept_get(**_learner(request), place=place or stage_place(row.plan.slug, row.slug))
    if kept is not None:
        restore_experiment(experiment, kept)
    session = experiment.session
    return {
        **page_context(
            session.snapshot(),
            session.status,
            offered=row.offered_controls,
            links=metric_links(lang),
        ),
        **fragments.lesson_context(
            experiment, row, lang, done=done, next_url=next_url, last=last, offers=offers
        ),
        "plan": row.plan,
        "plan_title": row.plan.text("title", lang),
        "stage": row,
        "title": row.text("title", lang),
        "body": render_markdown(row.text("body", lang)),
        "number": row.order + 1,
        "total": row.plan.stages.count(),
    }


@require_safe
def finished(request: HttpRequest, plan: str) -> HttpResponse:
    """After the last stage: what the learner completed, and what to read next."""
    row, lang = _plan(plan), _lang()
    stages = _stages(request, row, lang)
    return render(
        request,
        "lessons/finished.html",
        {
            "plan": row,
            "title": row.text("title", lang),
            "stages": stages,
            "done": sum(s["done"] for s in stages),
            "total": len(stages),
            "remaining": sum(not s["done"] for s in stages),
            # the first stage still open, numbered as its page numbers it
            "next_open": next(
                ({**s, "number": s["stage"].order + 1} for s in stages if not s["done"]), None
            ),
            **_tries_count(stages),
        },
    )


@require_safe
def evolution(request: HttpRequest, plan: str) -> HttpResponse:
    row, lang = _plan(plan), _lang()
    stages = [
        {
            "stage": s,
            "title": s.text("title", lang),
            "number": s.order + 1,
            "diagram": layout(Simulation(load_topology(s.topology), seed=1).snapshot(), live=False),
        }
        for s in row.stages.all()
    ]
    return render(
        request,
        "lessons/evolution.html",
        {
            "plan": row,
            "title": row.text("title", lang),
            "stages": stages,
        },
    )
