"""ASGI entry point: Django for HTTP, Channels for WebSockets (served by daphne)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")
# Set up Django (apps registry) before importing anything that may import models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter

from architect.sandbox.routing import websocket_urlpatterns as sandbox_routes
from architect.ws_origin import SameOriginValidator
from authoring.routing import websocket_urlpatterns as authoring_routes
from classrooms.routing import websocket_urlpatterns as classroom_routes
from lessons.routing import websocket_urlpatterns as lesson_routes

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Only pages of this site (scheme, host and port) may open a socket.
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(
                URLRouter(sandbox_routes + lesson_routes + classroom_routes + authoring_routes)
            )
        ),
    }
)
