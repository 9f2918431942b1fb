from __future__ import annotations

from django.urls import path

from lessons.consumers import LessonConsumer

websocket_urlpatterns = [
    path("ws/lessons/<slug:plan>/<slug:stage>/", LessonConsumer.as_asgi()),
    path("ws/lessons/<slug:plan>/<slug:stage>/try/<slug:experiment>/", LessonConsumer.as_asgi()),
]
