from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from architect.sandbox import keeping
from architect.sandbox.fragments import TEMPLATE, page_context
from architect.sandbox.live import LiveSession
from architect.sim.model.presets import single_server
from lessons.outlines import metric_links


def index(request: HttpRequest) -> HttpResponse:
    """The sandbox page: the learner's kept architecture (or a single server) at time 0;
    the WebSocket takes over from there. Reading it creates no session."""
    session = LiveSession(single_server)
    user = request.user if request.user.is_authenticated else None
    kept = keeping.kept_get(
        user=user, session_key=request.session.session_key or "", place=keeping.SANDBOX
    )
    if kept is not None:
        keeping.restore_session(session, kept)
    links = metric_links((get_language() or "en").split("-")[0])
    return render(request, TEMPLATE, page_context(session.snapshot(), session.status, links=links))
