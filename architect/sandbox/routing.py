from __future__ import annotations

from django.urls import path, re_path

from architect.sandbox.consumers import CompareConsumer, SandboxConsumer

websocket_urlpatterns = [
    path("ws/sandbox/", SandboxConsumer.as_asgi()),
    re_path(r"^ws/sandbox/compare/(?P<side>[ab])/$", CompareConsumer.as_asgi()),
]
