from __future__ import annotations

from django.urls import path

from classrooms import views

app_name = "classrooms"

urlpatterns = [
    path("", views.rooms, name="rooms"),
    path("<str:code>/", views.console, name="console"),
    path("<str:code>/projector/", views.projector, name="projector"),
    path("<str:code>/qr.svg", views.qr_code, name="qr"),
    path("<str:code>/results.csv", views.results_csv, name="results"),
]
