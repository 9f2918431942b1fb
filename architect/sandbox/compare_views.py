"""Compare A/B (issue #14.5): two architectures side by side, same seed, same traffic.

The learner picks two designs (the sandbox's own, a stage's architecture, or a share
link) and predicts which will have the lower p99 latency; only then does the run page
open. Each side is a sandbox of its own in a frame (``/sandbox/compare/a/`` and
``/b/``), kept in its own place (``compare:a``, ``compare:b``) and driven by its own
socket (``CompareConsumer``): the consumers stay transport only and the caps count two
simulations as two, each admitted and given its CPU share like any other. Both sides
start at time 0 from the seed of A with A's scenario (its traffic and scripted events,
a stage's failure drill say), so the only difference between the two runs is the
architecture.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_safe

from architect.sandbox import designs, share
from architect.sandbox.controls import WITHOUT_TRAFFIC
from architect.sandbox.fragments import page_context
from architect.sandbox.keeping import kept_get, restore_session
from architect.sandbox.live import LiveSession
from architect.security_headers import policy_header
from architect.sim.actions import limits
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.presets import single_server
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import Topology
from lessons import selectors
from lessons.outlines import metric_links

SIDES = ("a", "b")
PREDICTIONS = ("a", "b", "same")
PREDICTION_KEY = "compare_prediction"
MINE = "mine"
LINK = "link"
NO_PREDICTION = _("Predict which will have the lower p99 latency before you run them.")
NO_LINK = _("Paste a share link (or its code) for this side.")
NO_TRAFFIC = _("B cannot run A's scenario (its traffic and scripted events):")


def place(side: str) -> str:
    return f"compare:{side}"


def _stages(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "value": f"stage:{plan.slug}/{stage.slug}",
            "stage": stage,
            "title": f"{stage.order + 1}. {stage.text('title', lang)}",
        }
        for plan in selectors.plan_list()
        for stage in plan.stages.all()
    ]


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def _design(request: HttpRequest, side: str, stages: list[dict[str, Any]]) -> tuple[Topology, int]:
    """The design chosen for one side, or ``share.ShareError`` saying why it cannot be."""
    source = request.POST.get(f"{side}_source", MINE)
    if source == LINK:
        text = request.POST.get(f"{side}_link", "").strip()
        if not text:
            raise share.ShareError(NO_LINK)
        code = parse_qs(urlsplit(text).query).get("design", [text])[0]
        design = share.decode(code)
        return design.topology, design.seed
    for item in stages:
        if item["value"] == source:
            return load_topology(item["stage"].topology), designs.DEFAULT_SEED
    mine = designs.current(request)
    return mine.topology, mine.seed


@require_http_methods(["GET", "HEAD", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Choose A and B and predict; a valid choice keeps both sides and opens the run."""
    stages = _stages(_lang())
    errors: dict[str, Any] = {}
    if request.method == "POST":
        errors, chosen = _chosen(request, stages)
        if not errors:
            (a, seed), (b, _seed) = chosen
            designs.save(request, place("a"), a, seed)
            designs.save(request, place("b"), b, seed)
            request.session[PREDICTION_KEY] = request.POST["prediction"]
            return HttpResponseRedirect(reverse("sandbox:compare_run"))
    sides = [
        {
            "name": side,
            "source": request.POST.get(f"{side}_source", MINE),
            "link": request.POST.get(f"{side}_link", ""),
            "error": errors.get(side),
        }
        for side in SIDES
    ]
    context = {"stages": stages, "errors": errors, "sides": sides}
    return render(request, "sandbox/compare.html", context, status=400 if errors else 200)


def _chosen(
    request: HttpRequest, stages: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[Topology, int]]]:
    errors: dict[str, Any] = {}
    if request.POST.get("prediction") not in PREDICTIONS:
        errors["prediction"] = NO_PREDICTION
    chosen: list[tuple[Topology, int]] = []
    for side in SIDES:
        try:
            chosen.append(_design(request, side, stages))
        except share.ShareError as error:
            errors[side] = {"message": error.message, "problems": error.problems}
    if len(chosen) == 2:
        (a, seed), (b, _seed) = chosen
        try:  # the same scenario (A's traffic and scripted events), checked for B
            same = dataclasses.replace(b, traffic=a.traffic, events=a.events)
            b = load_topology(dump_topology(same))
        except TopologyError as error:
            from architect.problem_text import problem_text

            errors["b"] = {
                "message": NO_TRAFFIC,
                "problems": tuple(map(problem_text, error.problems)),
            }
        chosen = [(a, seed), (b, seed)]
    return errors, chosen


@require_safe
def run(request: HttpRequest) -> HttpResponse:
    """The two sides running, with the learner's prediction (none yet: predict first) and
    the one traffic control for both, starting from A's traffic (both run it)."""
    prediction = request.session.get(PREDICTION_KEY)
    if prediction not in PREDICTIONS:
        return HttpResponseRedirect(reverse("sandbox:compare"))
    low, high = limits("set_traffic", "rps")
    context = {
        "prediction": prediction,
        "rps": round(designs.current(request, place("a")).topology.traffic.rps),
        "rps_min": f"{low:.0f}",
        "rps_max": f"{high:.0f}",
    }
    return render(request, "sandbox/compare_run.html", context)


@require_safe
@xframe_options_sameorigin
def frame(request: HttpRequest, side: str) -> HttpResponse:
    """One side's sandbox, drawn to sit in the run page's frame (its own socket)."""
    session = LiveSession(single_server)
    user = request.user if request.user.is_authenticated else None
    kept = kept_get(user=user, session_key=request.session.session_key or "", place=place(side))
    if kept is not None:
        restore_session(session, kept)
    snapshot = session.snapshot()
    links = metric_links(_lang())
    context = page_context(snapshot, session.status, offered=WITHOUT_TRAFFIC, links=links)
    context |= {"socket_path": f"/ws/sandbox/compare/{side}/", "side": side.upper()}
    response = render(request, "sandbox/compare_frame.html", context)
    response["Content-Security-Policy"] = policy_header(
        {**settings.SECURE_CSP, "frame-ancestors": ["'self'"]}
    )
    return response
