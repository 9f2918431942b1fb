from __future__ import annotations

from django.urls import path

from authoring import capture_views, editor, stage_forms, views

app_name = "authoring"

urlpatterns = [
    path("", views.my_plans, name="index"),
    path("library/", views.library, name="library"),
    path("new/", views.create, name="create"),
    path("library/<slug:slug>/remix/", views.remix_builtin, name="remix_builtin"),
    path("<slug:plan>/", editor.edit, name="edit"),
    path("<slug:plan>/autosave/", editor.autosave, name="autosave"),
    path("<slug:plan>/lint/", editor.lint, name="lint"),
    path("<slug:plan>/preview/", editor.preview, name="preview"),
    path("<slug:plan>/preview/<slug:stage>/", editor.preview, name="preview_stage"),
    path("<slug:plan>/check/", editor.check, name="check"),
    path("<slug:plan>/check/<int:run>/", editor.check_status, name="check_status"),
    path("<slug:plan>/publish/", editor.publish, name="publish"),
    path("<slug:plan>/compare/", editor.compare, name="compare"),
    path("<slug:plan>/share/", editor.share, name="share"),
    path("<slug:plan>/stage/<int:index>/", stage_forms.stage_edit, name="stage"),
    path("<slug:plan>/stage/<int:index>/sandbox/", capture_views.frame, name="capture_frame"),
    path("<slug:plan>/view/", views.overview, name="overview"),
    path("<slug:plan>/remix/", views.remix, name="remix"),
    path("<slug:plan>/export/<int:number>.yaml", views.export, name="export"),
]
