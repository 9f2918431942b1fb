"""Two "try it" experiments judge a trade-off: the other ways a learner might go fail too,
each for the reason the experiment teaches (``check_lessons`` tries the generic shortcuts
and the solution without each step; these are the extremes it does not try)."""

from __future__ import annotations

from architect.sim.text import Text
from lessons.format import read_plan_file
from lessons.plans import PLANS_DIR
from lessons.shortcuts import Shortcut, try_shortcut


def _experiment(stage: str, slug: str):
    plan, _raw = read_plan_file(PLANS_DIR / "scale-from-zero.yaml", source="scale-from-zero")
    return next(s for s in plan.stages if s.slug == stage).experiment(slug)


def _failed(experiment, *actions: dict[str, str]) -> tuple[str, ...]:
    """The conditions that failed in the first failed second, trying ``actions``."""
    outcome = try_shortcut(experiment, Shortcut("try", Text("try"), actions), seed=1)
    assert not outcome.refused and not outcome.blocked, outcome.describe()
    assert not outcome.met
    status = outcome.status
    assert status is not None
    return tuple(c.metric for c in status.conditions if not c.ok)


def test_web_servers_instead_of_a_cdn_go_over_the_budget():
    cdn_cost = _experiment("cdn", "cdn-cost")
    assert _failed(cdn_cost, *[{"action": "add_web_server"}] * 3) == ("cost_per_month",)


def test_synchronous_copies_lose_nothing_but_fail_the_p99():
    data_sync = _experiment("data-centers", "data-sync")
    assert _failed(data_sync, {"action": "set_sync", "mode": "sync"}) == ("p99_ms",)
