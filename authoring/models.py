"""Lesson plans written in the browser: the plan, its immutable versions, its one draft.

A ``Plan`` belongs to its owner, who may add co-editors. Its ``Draft`` is the text being
edited (``revision`` counts saves, so two editors saving the same revision is a conflict,
not an overwrite). Publishing copies the draft into a ``PlanVersion``, identified by the
SHA-256 of its text, and loads it into ``lessons`` as a plan of its own (``lesson``):
learners' progress and classroom rooms point at that copy, so they keep the version
they started while the draft changes (docs/authoring.md).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lessons.models import pick_text


def new_token() -> str:
    """An unguessable share token (128 bits), as lower-case hexadecimal."""
    return secrets.token_hex(16)


class Plan(models.Model):
    """An authored lesson plan: who may edit it and who may see it."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Private: only its editors")
        LINK = "link", _("Anyone with the link")
        LISTED = "listed", _("Listed in the public library")

    slug = models.SlugField(_("address"), max_length=60, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="authored_plans",
        verbose_name=_("owner"),
    )
    co_editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_edited_plans",
        verbose_name=_("co-editors"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    share_token = models.CharField(_("share token"), max_length=32, unique=True, default=new_token)
    title = models.JSONField(_("title"), default=dict)  # from the draft's last good parse
    remixed_from = models.CharField(_("remixed from"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("authored plan")
        verbose_name_plural = _("authored plans")

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("authoring:edit", args=[self.slug])

    def title_in(self, lang: str) -> str:
        return pick_text(self.title, lang) or self.slug

    def latest_published(self) -> PlanVersion | None:
        return self.versions.filter(published=True).order_by("-number").first()


class PlanVersion(models.Model):
    """One immutable version: the YAML text as written, its parsed form and its identity."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("YAML text"))
    parsed = models.JSONField(_("parsed plan"), default=dict)
    sha256 = models.CharField(_("content SHA-256"), max_length=64)
    published = models.BooleanField(_("published"), default=False)
    lesson = models.OneToOneField(
        "lessons.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_version",
        verbose_name=_("learners' copy"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="authoring_version_number"),
            models.UniqueConstraint(fields=["plan", "sha256"], name="authoring_version_content"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.slug} v{self.number}"


class Draft(models.Model):
    """The text being edited; ``revision`` goes up by one with every save."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, related_name="draft", verbose_name=_("plan")
    )
    text = models.TextField(_("YAML text"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    preview = models.OneToOneField(
        "lessons.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_draft",
        verbose_name=_("preview copy"),
    )
    preview_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"{self.plan.slug} r{self.revision}"


class CheckRun(models.Model):
    """One background ``check_lessons`` of a draft's text: its progress and per-stage result."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="checks", verbose_name=_("plan")
    )
    sha256 = models.CharField(max_length=64)
    text = models.TextField()
    language = models.CharField(max_length=10, default="en")
    task_id = models.CharField(max_length=64, blank=True)
    done_stages = models.PositiveIntegerField(default=0)
    total_stages = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    results = models.JSONField(default=list)  # [{slug, line, ok, problems}]
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"check {self.pk} of {self.plan_id}"
