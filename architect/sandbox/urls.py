from __future__ import annotations

from django.urls import path, re_path

from architect.sandbox import compare_views, share_views, views

app_name = "sandbox"

urlpatterns = [
    path("", views.index, name="index"),
    path("share/", share_views.share_page, name="share"),
    path("open/", share_views.open_design, name="open"),
    re_path(r"^export/(?P<fmt>yaml|json|svg)/$", share_views.export, name="export"),
    path("import/", share_views.import_design, name="import"),
    path("compare/", compare_views.setup, name="compare"),
    path("compare/run/", compare_views.run, name="compare_run"),
    re_path(r"^compare/(?P<side>[ab])/$", compare_views.frame, name="compare_frame"),
]
