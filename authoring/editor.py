"""The editor and its actions: save (autosave or the form), lint, preview, check, publish,
compare versions, share. Every action asks ``authoring.permissions`` first."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from architect.security_headers import policy_header
from authoring import problems, rates, selectors, services, tasks
from authoring.access import lang, plan_for
from authoring.models import CheckRun, Plan
from authoring.permissions import can_edit, can_manage

CONFLICT = 409
TOO_MANY = 429


def _slow_down() -> JsonResponse:
    return JsonResponse(
        {"error": _("Too many saves in a minute: wait a moment, your text is still here.")},
        status=TOO_MANY,
    )


def _conflict_message() -> str:
    return _(
        "Someone else saved this draft since you opened it. Your text was not saved: copy "
        "your changes, reload the page to get theirs, and apply yours again."
    )


def _csp_with_nonce(nonce: str) -> str:
    """The site's policy, with a style nonce for CodeMirror's <style> (docs/vendored.md)."""
    directives = {name: list(v) for name, v in settings.SECURE_CSP.items()}
    directives["style-src"] = [*directives.get("style-src", []), f"'nonce-{nonce}'"]
    return policy_header(directives)


def _phrases() -> dict[str, str]:
    return {
        "Find": _("Find"),
        "Replace": _("Replace"),
        "next": _("next"),
        "previous": _("previous"),
        "all": _("all"),
        "close": _("close"),
        "Go to line": _("Go to line"),
        "Diagnostics": _("Problems"),
        "No diagnostics": _("No problems"),
    }


def _strings() -> dict[str, str]:
    """What the page script says (authoring.js), in the page's language."""
    return {
        "saved": _("Saved (revision %(revision)s)."),
        "unsaved": _("Unsaved changes…"),
        "saving": _("Saving…"),
        "failed": _("Not saved: the server could not be reached. Your text is still here."),
        "line": _("line %(line)s"),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, plan: str) -> HttpResponse:
    """The YAML editor; without JavaScript its form saves here and lists the problems."""
    row = plan_for(request, plan, can_edit)
    status, notice, text = 200, "", row.draft.text
    if request.method == "POST":
        text = problems.normalise(str(request.POST.get("text", "")))
        try:
            services.draft_save(
                plan=row, text=text, revision=_int(request.POST.get("revision")), user=request.user
            )
        except services.Conflict:
            status, notice = CONFLICT, _conflict_message()
        except ValidationError as refused:
            status, notice = 400, refused.messages[0]
        else:
            return redirect(row)
    row.refresh_from_db()
    draft = row.draft
    if status != 200:
        draft.text = text  # keep the editor's text on the page, not the other one's
    parsed, found = problems.parse(draft.text)
    nonce = secrets.token_urlsafe(16)
    context = {
        "plan": row,
        "draft": draft,
        "title": row.title_in(lang()),
        "problems": found,
        "notice": notice,
        "versions": row.versions.all()[:20],
        "check": row.checks.first(),
        "can_manage": can_manage(request.user, row),
        "csp_nonce": nonce,
        "phrases": _phrases(),
        "strings": _strings(),
        "stages": _stage_links(row),
        "plan_languages": ", ".join(parsed.languages) if parsed else "",
    }
    response = render(request, "authoring/edit.html", context, status=status)
    response["Content-Security-Policy"] = _csp_with_nonce(nonce)
    return response


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _stage_links(plan: Plan) -> list[dict[str, Any]]:
    parsed, _found = problems.parse(plan.draft.text)
    if parsed is None:
        return []
    code = lang()
    return [
        {"slug": s.slug, "title": s.title.get(code) or next(iter(s.title.values()), s.slug)}
        for s in parsed.stages
    ]


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@login_required
@require_POST
def autosave(request: HttpRequest, plan: str) -> JsonResponse:
    row = plan_for(request, plan, can_edit)
    if not rates.allow(request.user, "edit"):
        return _slow_down()
    data = _json_body(request)
    text, revision = data.get("text"), data.get("revision")
    if not isinstance(text, str) or not isinstance(revision, int):
        return JsonResponse({"error": _("The request was not understood.")}, status=400)
    try:
        draft = services.draft_save(plan=row, text=text, revision=revision, user=request.user)
    except services.Conflict as conflict:
        return JsonResponse(
            {"error": _conflict_message(), "revision": conflict.draft.revision}, status=CONFLICT
        )
    except ValidationError as refused:
        return JsonResponse({"error": refused.messages[0]}, status=400)
    _parsed, found = problems.parse(draft.text)
    return JsonResponse({"revision": draft.revision, "problems": found})


@login_required
@require_POST
def lint(request: HttpRequest, plan: str) -> JsonResponse:
    """The problems of a text being typed (not saved), in the editor's language."""
    plan_for(request, plan, can_edit)
    if not rates.allow(request.user, "edit"):
        return _slow_down()
    text = _json_body(request).get("text")
    if not isinstance(text, str):
        return JsonResponse({"error": _("The request was not understood.")}, status=400)
    _parsed, found = problems.parse(problems.normalise(text))
    return JsonResponse({"problems": found})


@login_required
@require_safe
def preview(request: HttpRequest, plan: str, stage: str = "") -> HttpResponse:
    """The learner's stage page for the saved draft (its own unlisted copy)."""
    row = plan_for(request, plan, can_edit)
    lesson, found = services.preview_load(plan=row)
    if lesson is None:
        context = {"plan": row, "problems": found, "title": row.title_in(lang())}
        return render(request, "authoring/preview_problems.html", context, status=400)
    stages = lesson.stages.all()
    chosen = next((s for s in stages if s.slug == stage), None) if stage else stages.first()
    if chosen is None:
        raise Http404(stage)
    return redirect(chosen)


@login_required
@require_POST
def check(request: HttpRequest, plan: str) -> HttpResponse:
    row = plan_for(request, plan, can_edit)
    if not rates.allow(request.user, "check"):
        message = _("At most %(count)d checks a minute: wait a moment.") % {
            "count": rates.limit("check")
        }
        return HttpResponse(message, status=TOO_MANY, content_type="text/plain; charset=utf-8")
    run = tasks.check_start(plan=row, language=lang())
    if request.htmx:
        return render(request, "authoring/edit.html#check", {"plan": row, "check": run})
    return redirect(row)


@login_required
@require_safe
def check_status(request: HttpRequest, plan: str, run: int) -> HttpResponse:
    row = plan_for(request, plan, can_edit)
    found = CheckRun.objects.filter(plan=row, pk=run).first()
    if found is None:
        raise Http404(run)
    return render(request, "authoring/edit.html#check", {"plan": row, "check": found})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: HttpRequest, plan: str) -> HttpResponse:
    """What publishing would change (who is on earlier versions, the diff), then publish."""
    row = plan_for(request, plan, can_edit)
    problem = ""
    if request.method == "POST":
        try:
            services.version_publish(plan=row, user=request.user)
        except ValidationError as refused:
            problem = refused.messages[0]
        else:
            return redirect("authoring:overview", row.slug)
    latest = row.versions.first()
    _parsed, found = problems.parse(row.draft.text)
    context = {
        "plan": row,
        "title": row.title_in(lang()),
        "problems": found,
        "problem": problem,
        "affected": selectors.affected(plan=row),
        "latest": latest,
        "diff": selectors.diff(
            old=latest.text if latest else "",
            new=row.draft.text,
            old_name=f"v{latest.number}" if latest else "-",
            new_name=_("draft"),
        ),
    }
    return render(request, "authoring/publish.html", context, status=400 if problem else 200)


@login_required
@require_safe
def compare(request: HttpRequest, plan: str) -> HttpResponse:
    """The diff between two versions (``?a=1&b=2``; 0 is the draft)."""
    row = plan_for(request, plan, can_edit)
    texts = {0: row.draft.text, **{v.number: v.text for v in row.versions.all()}}
    a, b = _int(request.GET.get("a")), _int(request.GET.get("b"))
    if a not in texts or b not in texts:
        raise Http404("version")
    names = {0: _("draft")}
    lines = selectors.diff(
        old=texts[a],
        new=texts[b],
        old_name=names.get(a, f"v{a}"),
        new_name=names.get(b, f"v{b}"),
    )
    context = {"plan": row, "title": row.title_in(lang()), "diff": lines, "a": a, "b": b}
    return render(request, "authoring/compare.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest, plan: str) -> HttpResponse:
    """Who sees the plan, and who co-edits it: the owner and staff only."""
    row = plan_for(request, plan, can_manage)
    problem = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "visibility":
                services.plan_share(plan=row, visibility=str(request.POST.get("visibility")))
            elif action == "add":
                services.co_editor_add(plan=row, username=str(request.POST.get("username", "")))
            elif action == "remove":
                services.co_editor_remove(plan=row, user_id=_int(request.POST.get("user")))
            else:
                raise PermissionDenied
        except ValidationError as refused:
            problem = refused.messages[0]
        else:
            return redirect("authoring:share", row.slug)
    link = request.build_absolute_uri(f"/author/{row.slug}/view/?t={row.share_token}")
    context = {
        "plan": row,
        "title": row.title_in(lang()),
        "choices": Plan.Visibility.choices,
        "co_editors": row.co_editors.order_by("username"),
        "problem": problem,
        "link": link,
        "language": get_language(),
    }
    return render(request, "authoring/share.html", context, status=400 if problem else 200)
