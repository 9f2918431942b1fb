"""``manage.py grant_instructor USERNAME [--revoke]``: let a user start and run rooms.

The user joins the group "Instructors", which holds the permission
``classrooms.run_rooms`` (the group is created with it the first time). The admin does
the same: add the user to that group, or give them the permission directly.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classrooms.permissions import instructors_group


class Command(BaseCommand):
    help = "Let a user start and run classroom rooms (or, with --revoke, no longer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="take the role away")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}.")
        group = instructors_group()
        if options["revoke"]:
            user.groups.remove(group)
            self.stdout.write(f"{user.get_username()} is no longer an instructor.")
        else:
            user.groups.add(group)
            self.stdout.write(f"{user.get_username()} is an instructor now.")
