from __future__ import annotations

from django.urls import path

from architect.sandbox.consumers import SandboxConsumer

websocket_urlpatterns = [
    path("ws/sandbox/", SandboxConsumer.as_asgi()),
]
