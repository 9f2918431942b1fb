from __future__ import annotations

from django.urls import path

from classrooms.consumers import ConsoleConsumer, ProjectorConsumer
from classrooms.students import StudentConsumer

websocket_urlpatterns = [
    path("ws/classroom/<str:code>/console/", ConsoleConsumer.as_asgi()),
    path("ws/classroom/<str:code>/projector/", ProjectorConsumer.as_asgi()),
    path("ws/classroom/<str:code>/student/", StudentConsumer.as_asgi()),
]
