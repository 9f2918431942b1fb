"""Who is connected to a room now: a row per connection, renewed by its process.

Channels has no way to list a group's members, and a Redis channel layer keeps the
memberships of a process that died. So each connection records itself (``enter``),
its process renews all of its rows in one ``UPDATE`` every few seconds (``renew``), and
a connection that closes deletes its row (``leave``). Whoever counts (the dashboard, the
idle check) counts only rows seen within ``alive_seconds``: after a tab is closed, at
once; after a process died, within that time. ``sweep`` deletes the dead ones.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from classrooms.models import Presence

ALIVE_PERIODS = 3  # a connection missed this many renewals: gone


def alive_seconds() -> float:
    return float(settings.CLASSROOM_PRESENCE_SECONDS) * ALIVE_PERIODS


def enter(
    *, channel_name: str, process: str, room_id: int, role: str, participant_id: int | None
) -> None:
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "process": process,
            "room_id": room_id,
            "role": role,
            "participant_id": participant_id,
            "seen_at": timezone.now(),
        },
    )


def leave(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


def renew(*, process: str) -> int:
    """Every connection of ``process`` was seen now; returns how many there are."""
    return Presence.objects.filter(process=process).update(seen_at=timezone.now())


def sweep() -> int:
    """Delete the rows nobody renewed (their process died); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=alive_seconds())
    deleted, _kinds = Presence.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
