from __future__ import annotations

from django.urls import re_path

from authoring.consumers import CaptureConsumer

websocket_urlpatterns = [
    re_path(
        r"^ws/author/(?P<plan>[-a-zA-Z0-9_]+)/(?P<index>[0-9]{1,3})/$", CaptureConsumer.as_asgi()
    ),
]
