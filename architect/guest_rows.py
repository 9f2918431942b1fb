"""Rows kept for a guest (no account) under a session key: which are orphans now that
their session has gone. Shared by the sandbox's kept simulations and the lessons'
progress, which are kept the same way (``lessons/guests.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


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
