"""Pages around the editor: my plans, the library, creating (template, import, remix),
a plan's read-only page, and exporting a version as YAML."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from authoring import selectors, services
from authoring.access import lang, plan_for
from authoring.models import PlanVersion
from authoring.permissions import can_author, can_edit, can_view
from lessons.format import MAX_FILE_BYTES
from lessons.models import pick_text

STARTER = Path(__file__).resolve().parent / "starters" / "one-stage.yaml"


def _author(request: HttpRequest) -> None:
    if not can_author(request.user):
        raise PermissionDenied


@login_required
@require_safe
def my_plans(request: HttpRequest) -> HttpResponse:
    _author(request)
    code = lang()
    plans = [
        {"plan": p, "title": p.title_in(code), "published": p.latest_published()}
        for p in selectors.plans_of(user=request.user)
    ]
    return render(request, "authoring/my_plans.html", {"plans": plans})


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    """Listed plans and the built-in ones: anyone may look, authors may remix."""
    code = lang()
    builtins = [
        {"slug": b.slug, "title": pick_text(b.title, code) or b.slug}
        for b in selectors.builtin_plans()
    ]
    listed = [{"plan": p, "title": p.title_in(code)} for p in selectors.listed_plans()]
    context = {"builtins": builtins, "listed": listed, "can_author": can_author(request.user)}
    return render(request, "authoring/library.html", context)


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """A new plan from the starter template, or from an uploaded or pasted YAML file."""
    _author(request)
    source = request.POST.get("source", "template")
    if source == "template":
        text = STARTER.read_text("utf-8")
    else:
        upload = request.FILES.get("file")
        raw = upload.read(MAX_FILE_BYTES + 1) if upload else request.POST.get("text", "").encode()
        if len(raw) > MAX_FILE_BYTES:
            return _refused(request, _("A plan file may be at most 1 MiB."))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refused(request, _("The file is not UTF-8 text."))
        if not text.strip():
            return _refused(request, _("Choose a YAML file or paste a plan."))
    plan = services.plan_create(owner=request.user, text=text)
    return redirect(plan)


def _refused(request: HttpRequest, problem: str) -> HttpResponse:
    return render(request, "authoring/refused.html", {"problem": problem}, status=400)


@login_required
@require_POST
def remix(request: HttpRequest, plan: str) -> HttpResponse:
    """A copy of the latest published version (of the draft, for its editors)."""
    _author(request)
    row = plan_for(request, plan, can_view, request.POST.get("t", ""))
    version = row.latest_published()
    if can_edit(request.user, row):
        text = row.draft.text
    elif version is not None:
        text = version.text
    else:
        raise Http404(plan)
    copy = services.plan_create(owner=request.user, text=text, remixed_from=row.slug)
    return redirect(copy)


@login_required
@require_POST
def remix_builtin(request: HttpRequest, slug: str) -> HttpResponse:
    _author(request)
    builtin = selectors.builtin_get(slug=slug)
    if builtin is None:
        raise Http404(slug)
    copy = services.plan_create(
        owner=request.user, text=builtin.text, remixed_from=f"builtin:{slug}"
    )
    return redirect(copy)


@require_safe
def overview(request: HttpRequest, plan: str) -> HttpResponse:
    """A plan as its viewers see it: its versions, the learners' page, export, remix."""
    token = request.GET.get("t", "")
    row = plan_for(request, plan, can_view, token)
    editor = can_edit(request.user, row)
    versions = row.versions.all() if editor else row.versions.filter(published=True)
    context = {
        "plan": row,
        "title": row.title_in(lang()),
        "versions": versions,
        "latest": row.latest_published(),
        "can_edit": editor,
        "can_author": can_author(request.user),
        "token": token,
    }
    return render(request, "authoring/overview.html", context)


@require_safe
def export(request: HttpRequest, plan: str, number: int) -> HttpResponse:
    """One version's YAML exactly as it was written (``number`` 0: the draft, for editors)."""
    token = request.GET.get("t", "")
    row = plan_for(request, plan, can_view, token)
    if number == 0:
        if not can_edit(request.user, row):
            raise PermissionDenied
        text, name = row.draft.text, f"{row.slug}-draft.yaml"
    else:
        found = PlanVersion.objects.filter(plan=row, number=number)
        if not can_edit(request.user, row):
            found = found.filter(published=True)
        version = found.first()
        if version is None:
            raise Http404(number)
        text, name = version.text, f"{row.slug}-v{number}.yaml"
    response = HttpResponse(text.encode("utf-8"), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
