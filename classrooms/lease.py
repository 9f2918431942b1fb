"""Who owns a room's simulation: a lease in the database, renewed by the owner's heartbeat.

The owner is a process (``PROCESS``: host, pid and a random part). ``acquire`` takes the
room when nobody holds it, when its holder let the lease run out (it died or stalled), or
when the caller already holds it (a renewal); one conditional ``UPDATE`` decides, so two
processes that try at once cannot both win. In the database and not Redis because the
embedded default (`make run`) has no Redis, and a lease must survive what it protects:
the database is the one store every deployment has. ``release`` gives the room up.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from classrooms.models import Room

PROCESS = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(*, room_id: int, owner: str, channel: str, seconds: float) -> bool:
    """Hold (or keep holding) room ``room_id`` for ``seconds`` more; False when another
    owner's lease is still running or the room has ended."""
    now = timezone.now()
    free = Q(lease_owner="") | Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = Room.objects.filter(
        free | Q(lease_owner=owner), id=room_id, ended_at__isnull=True
    ).update(lease_owner=owner, lease_channel=channel, lease_until=now + timedelta(seconds=seconds))
    return taken == 1


def release(*, room_id: int, owner: str) -> None:
    """Give room ``room_id`` up, if ``owner`` holds it."""
    Room.objects.filter(id=room_id, lease_owner=owner).update(
        lease_owner="", lease_channel="", lease_until=None
    )


def holder(*, room_id: int) -> str:
    """The owner whose lease on the room is running ("" when none)."""
    row = Room.objects.filter(id=room_id, lease_until__gte=timezone.now()).values_list(
        "lease_owner", flat=True
    )
    return next(iter(row), "")
