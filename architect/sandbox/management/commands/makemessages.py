"""``manage.py makemessages`` that also collects the engine's reasons.

``architect.sim`` stays free of Django, so it marks each problem's reason with
the no-op ``N_`` (``architect.sim.text``). This command adds ``--keyword=N_``
to every run, so a plain ``makemessages -l ko`` keeps those messages; more
keywords can be added with ``--keyword NAME``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.management.base import CommandParser
from django.core.management.commands import makemessages

MARKERS = ("N_",)


class Command(makemessages.Command):
    xgettext_options: ClassVar[list[str]] = [
        *makemessages.Command.xgettext_options,
        *(f"--keyword={m}" for m in MARKERS),
    ]

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--keyword",
            action="append",
            default=[],
            metavar="NAME",
            help="another function whose first argument is a message to collect (N_ always is)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra = [f"--keyword={name}" for name in options["keyword"] if name not in MARKERS]
        self.xgettext_options = [*self.xgettext_options, *extra]  # type: ignore[misc]
        super().handle(*args, **options)
