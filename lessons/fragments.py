"""A stage page's live panels: the lesson (predict, run, result, hints) and the goal.

Like ``architect.sandbox.fragments``: one context for the first page and for every
update, rendered from the named partials of ``lessons/stage.html``.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from architect.sandbox.metrics import goal_help
from architect.sandbox.numbers import num
from lessons import content, debriefs
from lessons.experiment import Experiment, Phase
from lessons.goal_chart import goal_chart
from lessons.goals import ConditionStatus, GoalStatus
from lessons.markdown import render_markdown as markdown
from lessons.models import Stage, pick_text

TEMPLATE = "lessons/stage.html"
OPERATORS = {"below": "<", "at_most": "≤", "at_least": "≥", "above": ">"}
LABELS = {
    "throughput_rps": _("served"),
    "offered_rps": _("offered"),
    "error_rate": _("errors"),
    "mean_ms": _("mean latency"),
    "p50_ms": _("p50"),
    "p95_ms": _("p95"),
    "p99_ms": _("p99"),
    "cost_per_month": _("cost"),
    "utilization": _("%(node)s busy"),
    "max_utilization": _("busiest node"),
    "hit_ratio": _("%(node)s hit ratio"),
    "lost_writes": _("lost writes"),
    "sessions_lost": _("sessions lost"),
    "stale_reads": _("stale reads"),
    "queue_depth": _("jobs waiting"),
}
PERCENT = ("error_rate", "utilization", "max_utilization", "hit_ratio")


def amount(metric: str, value: float | None) -> str:
    """A metric's value with its unit: “143 ms”, “2.1 %”, “4,900 req/s”, “$1,800/month”."""
    if value is None:
        return "—"
    if metric.endswith("_ms"):
        return _("%(value)s ms") % {"value": num(value)}
    if metric in PERCENT:
        return f"{num(value * 100, 1)} %"
    if metric.endswith("_rps"):
        return _("%(value)s req/s") % {"value": num(value)}
    if metric == "cost_per_month":
        return _("$%(value)s/month") % {"value": num(value)}
    return num(value)


def condition_label(metric: str, node: str) -> str:
    label = str(LABELS[metric])
    return label % {"node": node} if node else label


def condition_row(c: ConditionStatus, seconds: range) -> dict[str, Any]:
    """One condition in the goal panel: its latest value, and its record over the run so
    far (✓ only while it has held in every judged second), in words and as a chart."""
    label = condition_label(c.metric, c.node)
    target = f"{OPERATORS[c.operator]} {amount(c.metric, c.threshold)}"
    judged = bool(c.record)
    return {
        "label": label,
        "help": goal_help(c.metric, c.node),
        "value": amount(c.metric, c.value) if judged else "—",
        "target": target,
        "ok": (c.failed_s == 0) if judged else None,
        "failed_s": c.failed_s,
        "record": record_text(c) if judged else "",
        "sentence": condition_sentence(c, label, target) if judged else "",
        "chart": goal_chart(c, seconds.start, seconds.stop - 1) if judged else None,
    }


def record_text(c: ConditionStatus) -> str:
    """The record in short: “held 35 of 35 s”, “failed 7 of 35 s · first at 12 s · worst 412 ms”."""
    checked = len(c.record)
    if not c.failed_s:
        return _("held %(held)s of %(checked)s s") % {"held": c.held_s, "checked": checked}
    params = {
        "failed": c.failed_s,
        "checked": checked,
        "first": c.first_failure_s,
        "worst": amount(c.metric, c.worst),
    }
    if c.worst is None:
        return _("failed %(failed)s of %(checked)s s · first at %(first)s s · no value") % params
    return _("failed %(failed)s of %(checked)s s · first at %(first)s s · worst %(worst)s") % params


def condition_sentence(c: ConditionStatus, label: str, target: str) -> str:
    """The record in words, for the result and for screen readers."""
    checked = len(c.record)
    params = {
        "label": label,
        "target": target,
        "checked": checked,
        "failed": c.failed_s,
        "first": c.first_failure_s,
        "worst": amount(c.metric, c.worst),
        "missing": c.unmeasured_s,
    }
    if not c.failed_s:
        return (
            ngettext(
                "%(label)s %(target)s: held in the %(checked)s second checked.",
                "%(label)s %(target)s: held in all %(checked)s seconds checked.",
                checked,
            )
            % params
        )
    if c.worst is None:
        return (
            ngettext(
                "%(label)s %(target)s: failed in %(failed)s of %(checked)s second, first at "
                "%(first)s s; it had no value (no such node, or nothing completed).",
                "%(label)s %(target)s: failed in %(failed)s of %(checked)s seconds, first at "
                "%(first)s s; it had no value (no such node, or nothing completed).",
                checked,
            )
            % params
        )
    said = (
        ngettext(
            "%(label)s %(target)s: failed in %(failed)s of %(checked)s second, first at "
            "%(first)s s; worst value %(worst)s.",
            "%(label)s %(target)s: failed in %(failed)s of %(checked)s seconds, first at "
            "%(first)s s; worst value %(worst)s.",
            checked,
        )
        % params
    )
    if c.unmeasured_s:
        said += " " + _("It had no value in %(missing)s of them.") % params
    return said


def goal_context(experiment: Experiment) -> dict[str, Any]:
    """The goal panel: each condition's latest value and its record over the run."""
    status: GoalStatus | None = experiment.result
    tracker = experiment.tracker
    if status is None or tracker is None or not status.conditions:
        conditions = [
            {"value": "—", "ok": None, "failed_s": 0, "record": "", "chart": None, **row}
            for row in _planned(experiment)
        ]
    else:
        conditions = [condition_row(c, tracker.seconds) for c in status.conditions]
    return {
        "phase": experiment.phase.value,
        "conditions": conditions,
        "explained": True,  # the stage page draws the explanations (a classroom's does not)
        "reasons": [c["sentence"] for c in conditions if c["ok"] is False],
        "sentences": [c["sentence"] for c in conditions if c.get("sentence")],
        "t": num(status.t if status else 0, 0),
        "duration": num(experiment.duration_s),
        "checked_s": status.checked_s if status else 0,
        "span_s": status.span_s if status else 0,
        "failed_s": status.failed_s if status else 0,
        "failing": bool(status and status.failing),
        "met": experiment.met,
        "from_s": num(tracker.from_s if tracker else 0),
    }


def _planned(experiment: Experiment) -> list[dict[str, Any]]:
    """The conditions before any run: label and target, no value yet."""
    rows = []
    for data in (experiment.data.get("goal") or {}).get("conditions", []):
        operator = next(op for op in OPERATORS if op in data)
        metric, node = str(data["metric"]), str(data.get("node", ""))
        rows.append(
            {
                "label": condition_label(metric, node),
                "help": goal_help(metric, node),
                "target": f"{OPERATORS[operator]} {amount(metric, float(data[operator]))}",
            }
        )
    return rows


def tries(stage: Stage, lang: str, tried: set[str]) -> list[dict[str, Any]]:
    """A stage's "try it" experiments as links: title, address, whether ``tried`` holds it."""
    fallback = stage.plan._fallback()
    return [
        {
            "slug": data.get("slug"),
            "title": pick_text(data.get("title"), lang, fallback),
            "url": stage.get_experiment_url(str(data.get("slug"))),
            "done": data.get("slug") in tried,
        }
        for data in stage.data.get("experiments") or ()
    ]


def lesson_context(
    experiment: Experiment,
    stage: Stage,
    lang: str,
    *,
    done: bool,
    next_url: str = "",
    last: bool = False,
    offers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The lesson panel: the question, the run button, the result and the hints;
    ``next_url`` leads on (``last``: to the end-of-plan page). ``offers``: the stage's
    "try it" experiments (``tries``), shown once its goal is met. On an experiment's
    page (``stage.experiment_of``), ``next_url`` leads back to its stage."""
    predict = stage.data.get("predict") or {}
    phase = experiment.phase
    revealed = phase == Phase.DONE or done
    choices = stage.texts("predict.choices", lang) if predict.get("choices") else []
    guess = experiment.prediction
    return {
        "phase": phase.value,
        "asks": bool(predict),
        "question": stage.text("predict.question", lang) if predict else "",
        "choices": [
            {"index": i, "text": text, "chosen": i == guess} for i, text in enumerate(choices)
        ],
        **_answers(predict, choices, guess, revealed, stage.text("predict.estimate.unit", lang)),
        "why": markdown(stage.text("predict.why", lang)) if revealed and predict else "",
        "goal_text": stage.text("goal.text", lang),
        "met": experiment.met,
        "done": done,
        "debrief": debrief_html(experiment, stage, lang) if experiment.met or done else "",
        "hints": [markdown(h) for h in stage.texts("hints", lang)[: experiment.hints_shown]],
        "more_hints": experiment.hints_shown < experiment.hints,
        "runs": experiment.runs,
        "next_url": next_url,
        "last": last,
        "trying": stage.experiment_of is not None,
        "offers": offers if (offers and (experiment.met or done)) else [],
        "goal": goal_context(experiment),
    }


def _answers(
    predict: dict[str, Any], choices: list[str], guess: int | None, revealed: bool, unit: str
) -> dict[str, Any]:
    """The guess, the answer (once revealed) and whether they agree: a choice, or a number
    within the estimate's tolerance."""
    estimate = predict.get("estimate")
    if estimate:
        number = f"{estimate['answer']:,} {unit}"
        tolerance = round(float(estimate["tolerance"]) * 100)
        return {
            "estimate": {"unit": unit, "value": guess if guess is not None else ""},
            "prediction": f"{guess:,} {unit}" if guess is not None else "",
            "revealed": revealed,
            "answer": (number + (f" (± {tolerance} %)" if tolerance else "")) if revealed else "",
            "right": revealed and guess is not None and content.estimate_holds(estimate, guess),
        }
    answer = predict.get("answer") if predict else None
    return {
        "estimate": None,
        "prediction": choices[guess] if guess is not None and 0 <= guess < len(choices) else "",
        "revealed": revealed and bool(predict),
        "answer": choices[answer] if revealed and isinstance(answer, int) else "",
        "right": revealed and guess == answer,
    }


def debrief_html(experiment: Experiment, stage: Stage, lang: str) -> SafeString:
    """The debrief parts that this run calls for (lessons.debriefs), in ``lang``."""
    facts = experiment.facts if experiment.met else None
    texts = debriefs.chosen(stage.data.get("debrief"), facts)
    fallback = stage.plan._fallback()
    # Each part is sanitised HTML (render_markdown); joining them must keep them safe.
    return SafeString("".join(markdown(pick_text(t, lang, fallback)) for t in texts))


def lesson_key(context: dict[str, Any]) -> tuple[object, ...]:
    """Changes exactly when the lesson panel (which holds forms) must be redrawn."""
    return (
        context["phase"],
        context["prediction"],
        len(context["hints"]),
        context["runs"],
        context["met"],
        context["done"],
        tuple(o["done"] for o in context["offers"]),
    )


def render(parts: tuple[str, ...] | list[str], context: dict[str, Any]) -> str:
    return "".join(render_to_string(f"{TEMPLATE}#{part}", context) for part in parts)
