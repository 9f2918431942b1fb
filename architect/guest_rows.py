"""Rows a learner keeps: theirs as a user, or a guest's under a session key.

The sandbox's kept simulations and the lessons' progress are kept the same way, so they
share one abstract model (``GuestOwned``: the owner fields, the rules that there is one
row per owner and ``scope``, and how a guest's row joins another owner's) and the two
things done to every such model: at log-in or adoption a guest session's rows ``move``
to a user or another session, and rows left without a session are ``delete_orphans``
(``architect/guests.py`` does both for every ``GuestOwned`` model).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


def owner_user(related_name: str) -> Any:
    """The ``user`` field of a ``GuestOwned`` model (null for a guest's row)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("user"),
    )


def owner_constraints(prefix: str, scope: str) -> list[models.BaseConstraint]:
    """One row per user and ``scope``, one per guest session and ``scope``, and an owner."""
    return [
        models.UniqueConstraint(
            fields=["user", scope], condition=Q(user__isnull=False), name=f"{prefix}_one_per_user"
        ),
        models.UniqueConstraint(
            fields=["session_key", scope],
            condition=Q(user__isnull=True),
            name=f"{prefix}_one_per_session",
        ),
        models.CheckConstraint(
            condition=Q(user__isnull=False) | ~Q(session_key=""), name=f"{prefix}_has_owner"
        ),
    ]


class GuestOwned(models.Model):
    """A row of a learner: ``user``'s (``owner_user``), else the guest session
    ``session_key``'s; one per owner and ``scope`` (``owner_constraints``)."""

    scope: ClassVar[str]  # the field that tells an owner's rows apart
    user: Any
    user_id: Any
    session_key = models.CharField(_("session key"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        owner = self.user_id if self.user_id is not None else self.session_key[:8]
        return f"{getattr(self, self.scope)} · {owner}"

    def absorb(self, guest: Any) -> list[str]:
        """Take in what a guest's row of the same scope holds (it is deleted next); the
        names of the fields changed."""
        raise NotImplementedError


def owner(user: Any, session_key: str) -> dict[str, Any]:
    """The filter for a learner's rows: the user's when logged in, else the session's."""
    if user is not None:
        return {"user": user}
    return {"user": None, "session_key": session_key}


def guest_owned_models() -> list[type[GuestOwned]]:
    """Every installed model whose rows a learner keeps."""
    return [model for model in apps.get_models() if issubclass(model, GuestOwned)]


@transaction.atomic
def move(
    model: type[GuestOwned], *, session_key: str, user: Any = None, to_session_key: str = ""
) -> int:
    """Give a guest session's rows of ``model`` to ``user`` or to the session
    ``to_session_key``; where that owner has a row of the same scope, it ``absorb``s the
    guest's, which is deleted. The count of the guest's rows."""
    if not session_key or (user is None and to_session_key in ("", session_key)):
        return 0
    scope = model._meta.get_field(model.scope).attname
    rows = list(model._default_manager.filter(Q(user__isnull=True), session_key=session_key))
    theirs = {
        getattr(row, scope): row
        for row in model._default_manager.filter(
            **{f"{scope}__in": [getattr(r, scope) for r in rows]}, **owner(user, to_session_key)
        )
    }
    for row in rows:
        kept = theirs.get(getattr(row, scope))
        if kept is None:
            row.user, row.session_key = user, "" if user is not None else to_session_key
            row.save(update_fields=["user", "session_key", "updated_at"])
        else:
            kept.save(update_fields=[*kept.absorb(row), "updated_at"])
            row.delete()
    return len(rows)


def move_all(*, session_key: str, user: Any = None, to_session_key: str = "") -> int:
    """``move`` a guest session's rows of every ``GuestOwned`` model; the count."""
    return sum(
        move(model, session_key=session_key, user=user, to_session_key=to_session_key)
        for model in guest_owned_models()
    )


def delete_all_orphans() -> dict[str, int]:
    """``delete_orphans`` of every ``GuestOwned`` model: the count by the model's plural name."""
    return {
        str(model._meta.verbose_name_plural): delete_orphans(model._default_manager.all())
        for model in guest_owned_models()
    }


def delete_orphans(rows: QuerySet[Any]) -> int:
    """Delete the guests' ``rows`` (``user`` null, a ``session_key``) whose session no
    longer exists; the count deleted. Only with database sessions (others cannot be
    listed): 0 otherwise."""
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE != DATABASE_SESSIONS:
        return 0
    orphans = rows.filter(user__isnull=True).exclude(
        session_key__in=Session.objects.values("session_key")
    )
    return int(orphans.delete()[0])
