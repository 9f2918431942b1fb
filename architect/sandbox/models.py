"""What the server keeps of a learner's live simulation, so a reconnect or a reload
loses nothing (``architect.sandbox.keeping``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from architect.guest_rows import GuestOwned, owner_constraints, owner_user


class KeptSimulation(GuestOwned):
    """One learner's simulation in one place (the sandbox, or a stage): its architecture,
    traffic and run state as plain data. The learner is a user, or a guest's session."""

    scope = "place"
    place = models.CharField(_("place"), max_length=200)
    user = owner_user("kept_simulations")
    data = models.JSONField(_("state"), default=dict)

    class Meta:
        verbose_name = _("kept simulation")
        verbose_name_plural = _("kept simulations")
        constraints = owner_constraints("sandbox_kept", "place")

    def absorb(self, guest: Any) -> list[str]:
        """The guest's state replaces this one: it is the newer."""
        self.data = guest.data
        return ["data"]
