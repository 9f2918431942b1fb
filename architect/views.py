from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from lessons.outlines import plan_outlines


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The welcome page, with every loaded plan's stages linked by their own titles."""
    lang = (get_language() or "en").split("-")[0]
    return render(request, "home.html", {"plans": plan_outlines(lang)})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
