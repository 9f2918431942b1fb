"""Admin: plans and stages are read-mostly (they come from plan files); progress is listed."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from lessons.models import Plan, Progress, Stage


class StageInline(admin.TabularInline):
    model = Stage
    fields = ("order", "slug")
    readonly_fields = ("order", "slug")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("slug", "__str__", "author", "license", "loaded_at")
    search_fields = ("slug", "author")
    readonly_fields = (
        "slug",
        "title",
        "summary",
        "languages",
        "author",
        "license",
        "source_path",
        "source_sha256",
        "loaded_at",
    )
    inlines: ClassVar[list[type[admin.TabularInline]]] = [StageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # plans come from files: manage.py load_lessons


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "order", "slug")
    list_filter = ("plan",)
    readonly_fields = ("plan", "order", "slug", "data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ("stage", "user", "session_key", "prediction", "completed_at", "updated_at")
    list_filter = ("stage__plan", "completed_at")
    raw_id_fields = ("user",)
    readonly_fields = ("stage", "updated_at")
