"""The "try it" experiments of stages 8, 10 and 12 (autoscaling through an evening peak, a
failover slowed by the DNS TTL, a worker shortage only a business metric shows), walked by
a learner in each language: predict, apply the experiment's solution through the visible
controls, run, see the goal met. Opened by their own address (the stage's link to them is
the experiments' own test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_lessons import COUNT_MESSAGES, plans, walk_stage

EXPERIMENTS = (
    ("stateless-web-tier", "evening-peak"),
    ("data-centers", "dns-ttl"),
    ("logs-metrics-automation", "which-metric"),
)


@pytest.mark.screenshots
def test_the_experiments_of_stages_8_10_12_are_met_with_their_solutions(
    page, fast_server, language, screenshots: Path
):
    plan = next(p for p in plans() if p.slug == "scale-from-zero")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.add_init_script(COUNT_MESSAGES)
    for stage_slug, slug in EXPERIMENTS:
        stage = next(s for s in plan.stages if s.slug == stage_slug)
        experiment = next(e for e in stage.experiments if e.slug == slug)
        page.goto(f"{fast_server.url}/lessons/{plan.slug}/{stage_slug}/try/{slug}/")
        shot = screenshots / f"try-{language}-{slug}.png" if slug == "evening-peak" else None
        walk_stage(page, experiment, language, shot)
