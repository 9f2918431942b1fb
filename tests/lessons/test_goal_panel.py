"""The goal panel says why (#8.2): each condition's record over the run (held or not, in
how many seconds, the first failing second, the worst value), a chart with the goal line
and the failed seconds marked, and the same in words for screen readers, in both languages."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.utils import translation

from architect.sim.loader import dump_topology
from architect.sim.model.presets import single_server
from architect.sim.snapshot import Latency, SeriesPoint
from lessons import fragments
from lessons.experiment import Experiment

from helpers.snapshots import snapshot

GOAL = {
    "from_s": 0,
    "conditions": [{"metric": "p99_ms", "below": 200}, {"metric": "error_rate", "at_most": 0.01}],
}
SLOW = {4: 500.0, 5: 450.0, 9: 480.0}  # p99 in the seconds that fail; 100 ms in the others


def point(second: int, p99: float) -> SeriesPoint:
    latency = Latency(p99 / 2, p99 / 3, p99 * 0.9, p99)
    return SeriesPoint(float(second), 100.0, p99, 0.0, latency=latency)


def finished(slow: dict[int, float]) -> Experiment:
    """A 10-second run fed the engine's closed seconds by hand."""
    lab = Experiment({"topology": dump_topology(single_server()), "duration_s": 10, "goal": GOAL})
    lab.predict(None)
    lab.run()
    points = [point(n, p99=slow.get(n, 100.0)) for n in range(1, 11)]
    for end in (3, 7, 10):
        lab.observe(snapshot(t=float(end), series=tuple(points[:end])))
    return lab


def panel(lab: Experiment, lang: str = "en") -> str:
    with translation.override(lang):
        context = {"phase": lab.phase.value, "met": lab.met, "goal": fragments.goal_context(lab)}
        return fragments.render(["goal", "verdict"], context)


def text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_a_failed_run_says_which_condition_failed_when_first_and_how_badly():
    html = panel(finished(SLOW))
    words = text(html)
    assert "failed 3 of 10 s · first at 4 s · worst 500 ms" in words  # p99
    assert "held 10 of 10 s" in words  # errors
    assert "Run over: 10 of 10 s checked, 3 failed" in words
    verdict = text(html[html.index('id="verdict"') :])
    assert "Goal not met." in verdict
    assert "p99 < 200 ms: failed in 3 of 10 seconds, first at 4 s; worst value 500 ms." in verdict
    assert "errors ≤ 1.0 %: held in all 10 seconds checked." in verdict


def test_the_chart_draws_the_goal_line_and_marks_each_failed_second():
    html = panel(finished(SLOW))
    p99_row = html[: html.index("errors")]
    bands = re.findall(r'class="goal-chart-failed" x="([\d.]+)" y="-2" width="([\d.]+)"', p99_row)
    width = 240 / 10  # ten judged seconds across the chart
    assert [(float(x), float(w)) for x, w in bands] == [((s - 1) * width, width) for s in SLOW]
    line = re.search(r'class="goal-chart-line" x1="0" y1="([\d.]+)"', p99_row)
    assert line is not None
    goal_y = float(line.group(1))
    top = 500 * 1.25  # the worst value, with headroom
    assert goal_y == pytest.approx(40 - 200 / top * 40, abs=0.05)
    points = re.search(r'class="goal-chart-values" points="([^"]+)"', p99_row)
    assert points is not None and len(points.group(1).split()) == 10
    assert "goal-chart-failed" not in html[html.index("errors") :]


def test_a_met_run_says_every_condition_held_in_every_second():
    lab = finished({})
    assert lab.met
    verdict = text(panel(lab).split('id="verdict"')[1])
    assert "Goal met." in verdict and "p99 < 200 ms: held in all 10 seconds checked." in verdict


def test_the_record_in_korean():
    html = panel(finished(SLOW), "ko")
    words = text(html)
    assert "10초 중 3초 실패 · 처음 4초 · 최악 500 ms" in words
    assert "10초 중 10초 충족" in words
    verdict = text(html[html.index('id="verdict"') :])
    assert "목표를 달성하지 못했습니다." in verdict and "10초 중 3초 동안 실패" in verdict


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_condition_opens_the_explanation_of_its_metric(lang):
    """#14.4: a condition's label is the button that opens its metric's sentence (the
    sandbox's metric_help, drawn once on the stage page), with a stable id (focus survives
    the panel's redraw every tick), before a run and during one."""
    planned = Experiment({"topology": dump_topology(single_server()), "goal": GOAL})
    for lab in (planned, finished(SLOW)):
        found = re.findall(
            r'<button type="button" class="metric-label" id="(explain-goal-\d)" '
            r'popovertarget="help-([a-z0-9_]+)" aria-describedby="help-text-\2">([^<]+)</button>',
            panel(lab, lang),
        )
        labels = ["p99", "오류율" if lang == "ko" else "errors"]
        assert found == [
            ("explain-goal-1", "p99", labels[0]),
            ("explain-goal-2", "error_rate", labels[1]),
        ]


def test_every_goal_metric_has_an_explanation():
    """Each metric a goal can name opens a sentence the page draws; a hit ratio the cache's
    or the CDN's, by its node."""
    from architect.sandbox.metrics import HELP, goal_help
    from lessons.goals import METRICS

    assert all(goal_help(metric) in HELP for metric in METRICS)
    assert (goal_help("hit_ratio", "cache"), goal_help("hit_ratio", "cdn")) == (
        "cache_hits",
        "cdn_hits",
    )
