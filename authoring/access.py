"""Fetching a plan for a request, with the permission the action needs (404 / 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import get_language

from authoring.models import Plan


def lang() -> str:
    return (get_language() or "en").split("-")[0]


def plan_for(request: HttpRequest, slug: str, allowed: Callable[..., bool], *args: Any) -> Plan:
    """The plan, if ``allowed(user, plan, *args)``; a plan one may not even see is a 404."""
    from authoring.permissions import can_view

    plan = Plan.objects.select_related("owner", "draft").filter(slug=slug).first()
    if plan is None:
        raise Http404(slug)
    if allowed(request.user, plan, *args):
        return plan
    if can_view(request.user, plan, request.GET.get("t", "")):
        raise PermissionDenied
    raise Http404(slug)
