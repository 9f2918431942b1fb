"""Who may do what in a room.

An instructor is a signed-in user with the permission ``classrooms.run_rooms`` (the
group "Instructors" has it: ``manage.py grant_instructor USERNAME``, or the admin). In
a room, only its instructor and the co-instructors they added drive, reveal, remove and
export (``can_drive``): not other instructors, not staff. A student is a participant of
the room (their session holds the seat); they answer polls and use their own copy.
"""

from __future__ import annotations

from typing import Any

from classrooms.models import Room

PERMISSION = "classrooms.run_rooms"
GROUP = "Instructors"


def can_run_rooms(user: Any) -> bool:
    """Whether ``user`` may start rooms."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


def can_drive(user: Any, room: Room) -> bool:
    """Whether ``user`` is the room's instructor or one of its co-instructors."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if room.instructor_id == user.pk:
        return True
    return room.co_instructors.filter(pk=user.pk).exists()


def instructors_group() -> Any:
    """The group "Instructors", holding ``classrooms.run_rooms`` (created when missing)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=GROUP)
    permission = Permission.objects.get(content_type__app_label="classrooms", codename="run_rooms")
    group.permissions.add(permission)
    return group
