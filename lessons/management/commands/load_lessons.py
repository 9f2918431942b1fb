"""``manage.py load_lessons [FILE ...]``: load plan files into the database.

Without files, every ``lessons/plans/*.yaml``. A plan is updated in place by
its slug; learners keep their progress in stages whose slug still exists. A
file with problems is not loaded; every problem is printed as
``file:line: field: reason`` (in ``--language``) and the command exits non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from architect.language_option import add_language_argument
from lessons import services
from lessons.format import PlanError
from lessons.plans import display_path, plan_files
from lessons.problem_text import plan_error_text


class Command(BaseCommand):
    help = "Load lesson plan files (default: every lessons/plans/*.yaml) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="plan files (YAML)")
        add_language_argument(parser)

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        with translation.override(options["language"]):
            self.load_files(files)

    def load_files(self, files: list[Path]) -> None:
        paths = files or plan_files()
        if not paths:
            raise CommandError("no plan files: lessons/plans/ holds no *.yaml")
        failed = 0
        for path in paths:
            name = display_path(path)
            try:
                plan = services.plan_load_file(path=path, display_path=name)
            except OSError as error:
                self.stderr.write(f"{name}:0: (file): cannot be read ({error.strerror})")
                failed += 1
            except PlanError as error:
                self.stderr.write(plan_error_text(error))
                failed += 1
            else:
                self.stdout.write(f"loaded {plan.slug}: {plan.stages.count()} stages from {name}")
        if failed:
            raise CommandError(
                f"{failed} of {len(paths)} plan files have problems; they were not loaded"
            )
