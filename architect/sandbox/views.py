from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from architect.sandbox.fragments import TEMPLATE, page_context
from architect.sandbox.live import LiveSession
from architect.sim.model.presets import single_server


def index(request: HttpRequest) -> HttpResponse:
    """The sandbox page at time 0; the WebSocket takes over from there."""
    session = LiveSession(single_server)
    return render(request, TEMPLATE, page_context(session.snapshot(), session.status))
