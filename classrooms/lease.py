"""Who owns a room's simulation: a lease in the database, renewed by the owner's heartbeat.

The owner is a process (``PROCESS``: host, pid and a random part). ``acquire`` takes the
room when nobody holds it, when its holder let the lease run out (it died or stalled), or
when the caller already holds it (a renewal); one conditional ``UPDATE`` decides, so two
processes that try at once cannot both win. ``release`` gives the room up; ``unowned``
says which of some rooms nobody holds now (each process asks that of its rooms every
``CLASSROOM_TAKEOVER_SECONDS``: the takeover loop in ``heartbeat``).

In the database (PostgreSQL in a deployment) and not Redis: the embedded default
(`make run`) has no Redis; the lease sits in the same row as the checkpoint it hands
over, so whoever wins the conditional ``UPDATE`` reads the state its predecessor last
saved; and a Redis used as the channel layer keeps nothing on disk, where a lease must
survive what it protects. Expiry is judged by each process's clock (``timezone.now``):
keep the hosts' clocks synchronised (NTP); a skew of a second moves the takeover by one.
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


def unowned(*, room_ids: list[int]) -> list[int]:
    """Those of ``room_ids`` whose owner's lease has run out (or that have none), not ended."""
    running = Q(lease_until__gte=timezone.now()) & ~Q(lease_owner="")
    rows = Room.objects.filter(id__in=room_ids, ended_at__isnull=True).exclude(running)
    return sorted(rows.values_list("id", flat=True))


def holder(*, room_id: int) -> str:
    """The owner whose lease on the room is running ("" when none)."""
    row = Room.objects.filter(id=room_id, lease_until__gte=timezone.now()).values_list(
        "lease_owner", flat=True
    )
    return next(iter(row), "")
