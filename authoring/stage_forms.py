"""A form per stage, kept in sync with the YAML: it reads the stage from the draft and
writes it back in place (``stage_yaml``), saved with the draft's revision like the editor.

Fields: title, body (with a Markdown preview), prediction, hints, debrief, the goal's text
and conditions (metrics from ``lessons.goals``), the controls offered and the scenario's
events and duration. The stage's own sandbox (``capture_views``, in a frame) captures the
starting topology, the solution and scripted events; the topology can also come from the
user's own sandbox. The scenario's traffic stays in the YAML.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from architect.sandbox.keeping import SANDBOX, kept_get
from architect.yamlmarks import YamlProblem, parse_with_lines
from authoring import capture_views, problems, services, stage_yaml
from authoring.access import lang, plan_for
from authoring.permissions import can_edit
from lessons import vocabulary
from lessons.goals import METRICS, OPERATORS
from lessons.markdown import render_markdown

TEXTS = ("title", "body")
EXTRA_CONDITIONS = 1  # empty rows offered for new conditions


def _texts(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _languages(text: str) -> list[str]:
    parsed, _found = problems.parse(text)
    if parsed is not None:
        return list(parsed.languages)
    return ["en"]


def _conditions(stage: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for item in (stage.get("goal") or {}).get("conditions") or []:
        if not isinstance(item, dict):
            continue
        op = next((o for o in OPERATORS if o in item), "below")
        rows.append(
            {
                "metric": str(item.get("metric", "")),
                "op": op,
                "value": str(item.get(op, "")),
                "node": str(item.get("node", "")),
            }
        )
    return rows + [{"metric": "", "op": "below", "value": "", "node": ""}] * EXTRA_CONDITIONS


def _flow(value: object) -> str:
    """One event as a one-line YAML mapping: ``{at: 10, action: fail, node: web-1}``."""
    return str(stage_yaml.flow(value))


def _events(raw: str) -> list[object]:
    """The events textarea: one YAML mapping a line (read safely, as the loader reads);
    a line that is not YAML is kept as text, for the loader to report at its line."""
    events: list[object] = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            events.append(parse_with_lines(line)[0])
        except YamlProblem:
            events.append(line.strip())
    return events


def _fields(stage: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """What the form shows for ``stage``, per language."""
    raw = stage.get("predict")
    predict: dict[str, Any] = raw if isinstance(raw, dict) else {}
    hints = [_texts(h) for h in stage.get("hints") or []]
    choices = [_texts(c) for c in predict.get("choices") or []]
    per_language = [
        {
            "code": code,
            **{name: _texts(stage.get(name)).get(code, "") for name in TEXTS},
            "debrief": _texts(stage.get("debrief")).get(code, ""),
            "hints": "\n\n".join(h.get(code, "") for h in hints),
            "question": _texts(predict.get("question")).get(code, ""),
            "choices": "\n".join(c.get(code, "") for c in choices),
            "why": _texts(predict.get("why")).get(code, ""),
            "goal": _texts((stage.get("goal") or {}).get("text")).get(code, ""),
            "preview": render_markdown(_texts(stage.get("body")).get(code, "")),
        }
        for code in languages
    ]
    return {
        "languages": per_language,
        "answer": predict.get("answer", ""),
        "conditions": _conditions(stage),
        "controls": [str(c) for c in stage.get("controls") or []],
        "debrief_is_text": not isinstance(stage.get("debrief"), list),
        "events": "\n".join(map(_flow, (stage.get("scenario") or {}).get("events") or [])),
        "duration": (stage.get("scenario") or {}).get("duration_s", ""),
    }


def _number(raw: str) -> float | int | str:
    try:
        value = float(raw)
    except ValueError:
        return raw  # the loader reports it at its line
    return int(value) if value.is_integer() else value


def _merge(stage: dict[str, Any], post: Any, languages: list[str]) -> dict[str, Any]:
    """``stage`` with the form's fields written in (empty optional fields removed)."""
    new = dict(stage)

    def texts(name: str) -> dict[str, str]:
        return {code: str(post.get(f"{name}_{code}", "")).strip() for code in languages}

    def split(name: str, sep: str) -> list[dict[str, str]]:
        parts = {
            code: [p.strip() for p in str(post.get(f"{name}_{code}", "")).split(sep) if p.strip()]
            for code in languages
        }
        count = max((len(v) for v in parts.values()), default=0)
        return [
            {code: parts[code][i] if i < len(parts[code]) else "" for code in languages}
            for i in range(count)
        ]

    for name in TEXTS:
        new[name] = texts(name)
    if not isinstance(stage.get("debrief"), list):
        new["debrief"] = texts("debrief")
        if not any(new["debrief"].values()):
            new.pop("debrief")
    new["hints"] = split("hints", "\n\n")
    if not new["hints"]:
        new.pop("hints")
    question = texts("question")
    if any(question.values()):
        new["predict"] = {
            "question": question,
            "choices": split("choices", "\n"),
            "answer": _number(str(post.get("answer", ""))),
            "why": texts("why"),
        }
    else:
        new.pop("predict", None)
    goal = dict(stage.get("goal") or {})
    goal["text"] = texts("goal")
    goal["conditions"] = _posted_conditions(post)
    new["goal"] = goal
    controls = [c for c in post.getlist("controls") if c in vocabulary.ACTIONS]
    new["controls"] = controls
    scenario = dict(stage.get("scenario") or {})
    scenario["events"] = _events(str(post.get("events", "")))
    if str(post.get("duration", "")).strip():
        scenario["duration_s"] = _number(str(post.get("duration")))
    new["scenario"] = {k: v for k, v in scenario.items() if v != []}
    if not new["scenario"]:
        new.pop("scenario")
    return new


def _posted_conditions(post: Any) -> list[dict[str, Any]]:
    rows = []
    for n in range(int(post.get("condition_rows", 0) or 0)):
        metric = str(post.get(f"metric_{n}", ""))
        if not metric:
            continue
        op = str(post.get(f"op_{n}", "below"))
        row: dict[str, Any] = {"metric": metric}
        if node := str(post.get(f"node_{n}", "")).strip():
            row["node"] = node
        row[op if op in OPERATORS else "below"] = _number(str(post.get(f"value_{n}", "")))
        rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stage_edit(request: HttpRequest, plan: str, index: int) -> HttpResponse:
    row = plan_for(request, plan, can_edit)
    draft = row.draft
    stages = stage_yaml.stages_of(draft.text)
    if stages is None:
        return redirect(row)  # the YAML must load first; the editor lists why
    if not 0 <= index < len(stages):
        raise Http404(index)
    languages = _languages(draft.text)
    stage, notice, status = stages[index], "", 200
    if request.method == "POST":
        stage = _merge(stage, request.POST, languages)
        action = str(request.POST.get("action"))
        kind = action.removeprefix("capture_")
        if action == "capture":
            action, notice = _capture(request, stage)
        elif kind in capture_views.KINDS:
            notice = capture_views.capture_into(request, row, index, stage, kind)
            action = "" if notice else "save"
        status = 400 if notice else status
        if action == "save":
            try:
                text = stage_yaml.replace_stage(draft.text, index, stage)
                services.draft_save(
                    plan=row, text=text, revision=_revision(request), user=request.user
                )
            except services.Conflict:
                status = 409
                notice = _("Someone else saved this draft since you opened it. Nothing was saved.")
            except (ValueError, ValidationError) as refused:
                status, notice = 400, str(refused)
            else:
                url = reverse("authoring:stage", args=[row.slug, index])
                return redirect(f"{url}?captured={kind}" if kind in capture_views.KINDS else url)
    draft.refresh_from_db()
    _parsed, found = problems.parse(draft.text)
    context = {
        "plan": row,
        "title": row.title_in(lang()),
        "index": index,
        "count": len(stages),
        "slug": stage.get("slug", ""),
        "revision": draft.revision,
        "fields": _fields(stage, languages),
        "metrics": METRICS,
        "operators": tuple(OPERATORS),
        "actions": vocabulary.ACTIONS,
        "problems": found,
        "notice": notice,
        "captured": _captured(request, row, index) if request.method == "GET" else "",
    }
    return render(request, "authoring/stage_form.html", context, status=status)


def _captured(request: HttpRequest, plan: Any, index: int) -> str:
    """What the last capture saved, said once after its redirect (``?captured=``)."""
    kind = request.GET.get("captured")
    if kind == "topology":
        return _("Saved the sandbox's architecture as the stage's starting topology.")
    if kind == "events":
        return _("Saved the recorded events as the scenario's events.")
    if kind != "solution":
        return ""
    if capture_views.solution_rebuilds(plan, index, request.user):
        return _(
            "Saved your actions as the solution: applied at the start, they build the "
            "sandbox's architecture."
        )
    return _(
        "Saved your actions as the solution, but applied at the start they do not build "
        "exactly the sandbox's architecture (the autoscaler or a failure changed it): "
        "check the solution."
    )


def _capture(request: HttpRequest, stage: dict[str, Any]) -> tuple[str, str]:
    """The user's kept sandbox architecture as the stage's topology: ("save", "") or, when
    there is none, ("", why)."""
    kept = kept_get(user=request.user, session_key="", place=SANDBOX)
    if kept is None or not isinstance(kept.get("topology"), dict):
        return "", _("Your sandbox has nothing kept yet: build an architecture there first.")
    stage["topology"] = kept["topology"]
    return "save", ""


def _revision(request: HttpRequest) -> int:
    try:
        return int(str(request.POST.get("revision")))
    except ValueError:
        return -1
