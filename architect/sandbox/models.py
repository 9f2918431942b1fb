"""What the server keeps of a learner's live simulation, so a reconnect or a reload
loses nothing (``architect.sandbox.keeping``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KeptSimulation(models.Model):
    """One learner's simulation in one place (the sandbox, or a stage): its architecture,
    traffic and run state as plain data. The learner is a user, or a guest's session."""

    place = models.CharField(_("place"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kept_simulations",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session key"), max_length=40, blank=True)
    data = models.JSONField(_("state"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("kept simulation")
        verbose_name_plural = _("kept simulations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "place"],
                condition=Q(user__isnull=False),
                name="sandbox_kept_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["session_key", "place"],
                condition=Q(user__isnull=True),
                name="sandbox_kept_one_per_session",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""),
                name="sandbox_kept_has_owner",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user_id if self.user_id is not None else self.session_key[:8]
        return f"{self.place} · {owner}"
