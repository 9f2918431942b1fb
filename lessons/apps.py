from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lessons"
    verbose_name = _("Lessons")

    def ready(self) -> None:
        from lessons.signals import load_plans_on_first_run

        post_migrate.connect(load_plans_on_first_run, sender=self, dispatch_uid="lessons_first_run")
