from __future__ import annotations

from django.urls import path

from architect.sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("", views.index, name="index"),
]
