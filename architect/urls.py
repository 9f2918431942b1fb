from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from architect import views
from classrooms import views as classroom_views

# Plain URLs (no i18n_patterns): LocaleMiddleware picks the language from the
# django_language cookie (set by set_language), then the browser's Accept-Language.
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sandbox/", include("architect.sandbox.urls")),
    path("lessons/", include("lessons.urls")),
    path("accounts/", include("accounts.urls")),
    path("classroom/", include("classrooms.urls")),
    path("author/", include("authoring.urls")),
    # Short, for a board: students type the code there (or scan the QR code).
    path("join/", classroom_views.join, name="join"),
    path("join/<str:code>/", classroom_views.join, name="join_room"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
