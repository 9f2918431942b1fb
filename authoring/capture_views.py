"""The lesson editor's sandbox (``capture``): its page, drawn to sit in a stage form's
frame, and what the stage form's capture buttons write into the stage.

Each stage has its own sandbox per editor, kept like the sandbox's (``keeping``) in the
place ``author:<plan id>/<stage index>``, with the capture log beside the simulation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from architect.sandbox.fragments import page_context
from architect.sandbox.keeping import kept_get, restore_session
from architect.sandbox.live import LiveSession
from architect.security_headers import policy_header
from architect.sim.loader import load_topology
from authoring import problems, stage_yaml
from authoring.access import lang, plan_for
from authoring.capture import Capture, fingerprint, rebuilds, start_topology
from authoring.models import Plan
from authoring.permissions import can_edit
from lessons.outlines import metric_links

FRAME = "authoring/capture_frame.html"
PANEL = "authoring/capture_panel.html"
KINDS = ("topology", "solution", "events")


def place(plan: Plan, index: int) -> str:
    return f"author:{plan.pk}/{index}"


def stage_start(plan: Plan, index: int) -> dict[str, Any] | None:
    """Where stage ``index`` of the draft starts (its traffic, not its scripted events),
    or None when the draft does not load or has no such stage."""
    parsed, _found = problems.parse(plan.draft.text)
    if parsed is None or not 0 <= index < len(parsed.stages):
        return None
    return start_topology(parsed.stages[index].topology)


def panel_context(capture: Capture) -> dict[str, Any]:
    """The capture panel's context: each step and event as one line of YAML."""
    return {
        "capture": {
            "recording": capture.recording,
            "steps": [stage_yaml.flow(step) for step in capture.steps],
            "events": [stage_yaml.flow(event) for event in capture.events],
            "full": capture.full,
        }
    }


@login_required
@require_safe
@xframe_options_sameorigin
def frame(request: HttpRequest, plan: str, index: int) -> HttpResponse:
    """Stage ``index``'s sandbox as its editor left it (its own socket takes over)."""
    row = plan_for(request, plan, can_edit)
    start = stage_start(row, index)
    if start is None:
        raise Http404(index)
    session = LiveSession(lambda: load_topology(start))
    capture = Capture(fingerprint(start))
    kept = kept_get(user=request.user, session_key="", place=place(row, index))
    if kept is not None and _same_start(kept, capture.start):
        restore_session(session, kept)
        capture = Capture.from_data(kept["capture"], capture.start)
    context = page_context(session.snapshot(), session.status, links=metric_links(lang()))
    context |= {
        "socket_path": f"/ws/author/{row.slug}/{index}/",
        "embedded": True,
        **panel_context(capture),
    }
    response = render(request, FRAME, context)
    response["Content-Security-Policy"] = policy_header(
        {**settings.SECURE_CSP, "frame-ancestors": ["'self'"]}
    )
    return response


def _same_start(kept: dict[str, Any], start: str) -> bool:
    log = kept.get("capture")
    return isinstance(log, dict) and log.get("start") == start


def capture_into(
    request: HttpRequest, plan: Plan, index: int, stage: dict[str, Any], kind: str
) -> str:
    """Write what the editor's sandbox holds into ``stage`` (the raw mapping): its
    architecture as the ``topology``, its actions as the ``solution`` or its recorded
    events as the scenario's ``events``. "" when written, else why not."""
    start = stage_start(plan, index)
    kept = kept_get(user=request.user, session_key="", place=place(plan, index))
    if start is None or kept is None or not _same_start(kept, fingerprint(start)):
        return _(
            "The stage's sandbox has nothing of this stage yet: build or do something in it first."
        )
    log = Capture.from_data(kept["capture"], fingerprint(start))
    if kind == "topology":
        stage["topology"] = {k: v for k, v in kept["topology"].items() if k != "events"}
    elif kind == "solution":
        if not log.steps:
            return _(
                "Nothing was done in the sandbox since its start: there is no solution to save."
            )
        stage["solution"] = log.steps
    else:
        if not log.events:
            return _(
                "Nothing was recorded: turn recording on, then fail, restore or change the traffic."
            )
        scenario = stage.get("scenario")
        stage["scenario"] = {
            **(scenario if isinstance(scenario, dict) else {}),
            "events": log.events,
        }
    return ""


def solution_rebuilds(plan: Plan, index: int, user: Any) -> bool:
    """Whether the saved solution, applied to the stage's start, gives the sandbox's
    architecture (after a capture of the solution)."""
    start = stage_start(plan, index)
    kept = kept_get(user=user, session_key="", place=place(plan, index))
    if start is None or kept is None:
        return False
    log = Capture.from_data(kept.get("capture"), fingerprint(start))
    return rebuilds(start, log.steps, kept["topology"])
