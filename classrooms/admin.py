"""Admin: rooms and their participants, read-mostly (the console runs a room)."""

from __future__ import annotations

from django.contrib import admin

from classrooms.models import Participant, Room


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("number", "name", "stage_index", "joined_at", "removed_at")
    readonly_fields = ("number", "joined_at")
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("code", "plan_slug", "instructor", "created_at", "ended_at")
    list_filter = ("ended_at",)
    search_fields = ("code", "plan_slug", "instructor__username")
    readonly_fields = (
        "code",
        "plan_slug",
        "plan_sha256",
        "created_at",
        "checkpoint_at",
        "lease_owner",
        "lease_until",
    )
    exclude = ("plan_content", "checkpoint", "control", "lease_channel", "plan_title")
    filter_horizontal = ("co_instructors",)
    inlines = (ParticipantInline,)
