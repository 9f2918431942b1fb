from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from architect.sandbox.fragments import TEMPLATE, page_context
from architect.sandbox.live import LiveSession
from architect.sim.model.presets import single_server
from lessons.outlines import metric_links


def index(request: HttpRequest) -> HttpResponse:
    """The sandbox page at time 0; the WebSocket takes over from there."""
    session = LiveSession(single_server)
    links = metric_links((get_language() or "en").split("-")[0])
    return render(request, TEMPLATE, page_context(session.snapshot(), session.status, links=links))
