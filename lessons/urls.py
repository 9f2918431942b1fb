from __future__ import annotations

from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("", views.plan_list, name="index"),
    path("<slug:plan>/", views.plan_detail, name="plan"),
    path("<slug:plan>/evolution/", views.evolution, name="evolution"),
    path("<slug:plan>/finished/", views.finished, name="finished"),
    path("<slug:plan>/<slug:stage>/", views.stage_detail, name="stage"),
    path(
        "<slug:plan>/<slug:stage>/try/<slug:experiment>/",
        views.experiment_detail,
        name="experiment",
    ),
]
