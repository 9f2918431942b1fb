"""``manage.py clear_expired``: expired sessions and the guests' rows they leave behind."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from architect.guests import clear_expired


class Command(BaseCommand):
    help = (
        "Delete expired sessions, and the guests' progress and kept simulations whose "
        "session is gone (clearsessions leaves those). Run it from cron with several processes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = ", ".join(f"{count} {kind}" for kind, count in clear_expired().items())
        self.stdout.write(f"Deleted the guests' rows left without a session: {counts}.")
