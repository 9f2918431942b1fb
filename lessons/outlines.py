"""Plans and stages as links in one language, for pages outside a plan's own: the home
page's stage list and the metric explanations' "see stage 8" (``metric_links``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from lessons import selectors
from lessons.models import Stage


def stage_link(stage: Stage, lang: str) -> dict[str, Any]:
    """A stage's number, its own title in ``lang`` and its address."""
    return {
        "number": stage.order + 1,
        "title": stage.text("title", lang),
        "url": reverse("lessons:stage", args=[stage.plan.slug, stage.slug]),
    }


def plan_outlines(lang: str) -> list[dict[str, Any]]:
    """Every loaded plan with its stages, as links."""
    return [
        {
            "title": plan.text("title", lang),
            "url": reverse("lessons:plan", args=[plan.slug]),
            "stages": [stage_link(stage, lang) for stage in plan.stages.all()],
        }
        for plan in selectors.plan_list()
    ]


# The shipped plan's stage that teaches each of the sandbox's metrics, by the stage's slug
# (architect.sandbox.metrics.HELP's keys).
SHIPPED_PLAN = "scale-from-zero"
METRIC_STAGES = {
    "offered": "single-server",
    "served": "single-server",
    "p99": "single-server",
    "error_rate": "single-server",
    "p50": "single-server",
    "p95": "single-server",
    "availability": "load-balancer",
    "cost": "vertical-or-horizontal",
    "cache_hits": "cache",
    "cdn_hits": "cdn",
    "stale_reads": "database-replication",
    "lost_writes": "database-replication",
    "sessions_lost": "stateless-web-tier",
    "jobs_published": "message-queue",
    "jobs_done": "message-queue",
    "jobs_depth": "message-queue",
    "jobs_p99": "message-queue",
    "jobs_failed": "message-queue",
    "utilization": "vertical-or-horizontal",
    "queued": "vertical-or-horizontal",
    "mean": "single-server",
    "workers": "vertical-or-horizontal",
    "size": "vertical-or-horizontal",
    "node_cost": "vertical-or-horizontal",
    "state": "load-balancer",
}


def metric_links(lang: str) -> dict[str, Any]:
    """The stage of the shipped plan that teaches each metric, as a link (when loaded)."""
    return teaching_links(METRIC_STAGES, SHIPPED_PLAN, lang)


def teaching_links(taught_in: dict[str, str], plan_slug: str, lang: str) -> dict[str, Any]:
    """For each key of ``taught_in`` (e.g. a metric), the link to the stage of
    ``plan_slug`` whose slug it names; keys whose plan or stage is not loaded are left out."""
    stages = {
        stage.slug: stage
        for stage in selectors.stages_of(plan_slug=plan_slug, slugs=set(taught_in.values()))
    }
    return {
        key: stage_link(stages[slug], lang) for key, slug in taught_in.items() if slug in stages
    }
