"""Rooms, their participants, their poll answers, and who is connected right now.

A ``Room`` pins its lesson plan's content when it is created (``plan_content``: every
stage's ``Stage.data``, with the plan file's SHA-256), so a plan edited during a class
changes nothing in it. Its live state has one owner process at a time: the holder of the
lease (``lease_owner`` until ``lease_until``, renewed by the owner's heartbeat), which
saves a checkpoint of the simulation (``checkpoint``) every few seconds; the room's own
choices (stage, lock, poll, try-it-yourselves, spotlight) are saved as they change.
Presence is explicit: each connection has a ``Presence`` row its process renews.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lessons.models import pick_text


class Room(models.Model):
    """One class: an instructor drives one shared simulation; students follow and try."""

    code = models.CharField(_("join code"), max_length=8, unique=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rooms",
        verbose_name=_("instructor"),
    )
    co_instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_rooms",
        verbose_name=_("co-instructors"),
    )
    plan_slug = models.SlugField(_("lesson plan"), max_length=80)
    plan_title = models.JSONField(_("plan title"), default=dict)
    plan_sha256 = models.CharField(_("plan source SHA-256"), max_length=64, blank=True)
    plan_content = models.JSONField(_("pinned plan content"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The room's own choices, saved as they change (the owner's; see classrooms.state).
    control = models.JSONField(_("room state"), default=dict)
    # The shared simulation, saved every few seconds by the owner (classrooms.checkpoint).
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True)
    checkpoint_at = models.DateTimeField(_("checkpoint saved at"), null=True, blank=True)
    lease_owner = models.CharField(_("owner process"), max_length=100, blank=True)
    lease_channel = models.CharField(_("owner channel"), max_length=200, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        permissions = [("run_rooms", _("Can start and run classroom rooms"))]

    def __str__(self) -> str:
        return self.code

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def stages(self) -> list[dict[str, Any]]:
        """The pinned stages, in order: each ``{"slug": …, "data": Stage.data}``."""
        return list(self.plan_content.get("stages") or [])

    def title(self, lang: str) -> str:
        return pick_text(self.plan_title, lang) or self.plan_slug


class Participant(models.Model):
    """A student in a room: a display name, their session (and their user if signed in)."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="participants", verbose_name=_("room")
    )
    name = models.CharField(_("display name"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="room_seats",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session key"), max_length=40)
    number = models.PositiveIntegerField(_("number"))  # 1, 2, 3… in order of joining
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    stage_index = models.PositiveIntegerField(_("stage"), default=0)
    stage_since = models.DateTimeField(_("on this stage since"), auto_now_add=True)
    # The student's own copy: {"met": bool|None, "cost": float, "p99": float|None, …}
    result = models.JSONField(_("result"), default=dict, blank=True)
    design = models.JSONField(_("design"), default=dict, blank=True)  # dump_topology

    class Meta:
        ordering = ["room", "number"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "session_key"], name="classrooms_one_seat_per_session"
            ),
            models.UniqueConstraint(fields=["room", "number"], name="classrooms_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.room.code} · {self.name}"


class Vote(models.Model):
    """One student's answer to one round of a stage's poll (changed while it is open)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="votes", verbose_name=_("participant")
    )
    stage_index = models.PositiveIntegerField(_("stage"))
    round = models.PositiveSmallIntegerField(_("round"))
    # The chosen answer's index, or the number itself for an estimate (0 to 1,000,000).
    choice = models.PositiveIntegerField(_("choice"))
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "stage_index", "round"], name="classrooms_one_vote"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.stage_index}/{self.round}: {self.choice}"


class Presence(models.Model):
    """One open connection to a room, renewed by its process every few seconds: the
    dashboard counts only rows seen recently, so a closed tab or a dead process leaves no
    ghost (``channel_name`` is the connection's channel-layer name)."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("instructor")
        PROJECTOR = "projector", _("projector")
        STUDENT = "student", _("student")

    channel_name = models.CharField(_("channel"), max_length=200, unique=True)
    process = models.CharField(_("process"), max_length=100, db_index=True)
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="presence", verbose_name=_("room")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="presence",
        verbose_name=_("participant"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presence")

    def __str__(self) -> str:
        return f"{self.room} · {self.role} · {self.channel_name}"
