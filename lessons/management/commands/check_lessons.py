"""``manage.py check_lessons [PLAN ...]``: does every stage teach what it says?

Runs each stage, and each stage's "try it" experiments, headless with the engine
(seeds 1, 2, 3): the goal must not be met on the starting topology under the
stage's scenario, and must be met once the solution is applied at t = 0; and no
shortcut (``lessons.shortcuts``) may meet it unless the plan allows it with a
reason. PLAN is a plan file or the slug of a plan in ``lessons/plans/``; without
one, every shipped plan. One line per stage or experiment (``-v 2``: and one per
shortcut tried); exits non-zero when a plan has problems or a stage fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from architect.language_option import add_language_argument
from lessons.checker import SEEDS, StageCheck, check_stage, with_experiments
from lessons.format import PlanError, read_plan_file
from lessons.plans import PLANS_DIR, display_path, plan_files
from lessons.problem_text import plan_error_text


class Command(BaseCommand):
    help = "Run every stage of the lesson plans headless and check its goal and solution."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "plans", nargs="*", help="plan files or slugs (default: every lessons/plans/*.yaml)"
        )
        add_language_argument(parser)

    def handle(self, *args: Any, plans: list[str], **options: Any) -> None:
        with translation.override(options["language"]):
            self.check_plans(plans)

    def check_plans(self, plans: list[str]) -> None:
        paths = [self.resolve(p) for p in plans] or plan_files()
        if not paths:
            raise CommandError("no plan files: lessons/plans/ holds no *.yaml")
        failures = sum(self.check_file(path) for path in paths)
        if failures:
            raise CommandError(f"{failures} problem(s) in the lesson plans")

    def resolve(self, name: str) -> Path:
        path = Path(name)
        if path.suffix in (".yaml", ".yml"):
            return path
        shipped = PLANS_DIR / f"{name}.yaml"
        if not shipped.is_file():
            raise CommandError(
                f'no plan "{name}": give a plan file or the slug of one in lessons/plans/'
            )
        return shipped

    def check_file(self, path: Path) -> int:
        """Check one file; returns how many stages (or the file itself) failed."""
        name = display_path(path)
        try:
            plan, _raw = read_plan_file(path, source=name)
        except OSError as error:
            self.stderr.write(f"{name}:0: (file): cannot be read ({error.strerror})")
            return 1
        except PlanError as error:
            self.stderr.write(plan_error_text(error))
            return 1
        seeds = ", ".join(map(str, SEEDS))
        failed = 0
        units = [unit for stage in plan.stages for unit in with_experiments(stage)]
        for slug, stage in units:
            result = check_stage(stage)
            where = f"{name}:{stage.line}: {plan.slug}/{slug}"
            if result.ok:
                self.stdout.write(
                    f"ok    {where}: not met before, met with the solution (seeds {seeds})"
                    f"; {_shortcuts_summary(result)}"
                )
            else:
                failed += 1
                self.stdout.write(f"FAIL  {where}: " + "; ".join(result.problems()))
            for key in result.stale():
                self.stdout.write(f"note  {where}: allowed shortcut {key} no longer meets the goal")
            if self.verbosity >= 2:
                for outcome in result.shortcuts:
                    self.stdout.write(f"      {outcome.shortcut.label}: {outcome.describe()}")
        return failed

    verbosity = 1

    def execute(self, *args: Any, **options: Any) -> str | None:
        self.verbosity = int(options.get("verbosity", 1))
        return super().execute(*args, **options)


def _shortcuts_summary(result: StageCheck) -> str:
    tried = [o for o in result.shortcuts if not o.blocked]
    blocked = len(result.shortcuts) - len(tried)
    allowed = [o.shortcut.key for o in tried if o.met]
    met = f"allowed {', '.join(allowed)}" if allowed else "none met"
    return f"shortcuts: {met} ({len(tried)} tried, {blocked} blocked by the stage)"
