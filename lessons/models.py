"""Lesson plans, their ordered stages, and each learner's progress.

A plan's content lives in a YAML file (``lessons/plans/*.yaml``, see
docs/lesson-format.md); ``lessons.services.plan_load`` copies it here. A stage
keeps its normalised content in one JSON field: texts are ``{lang: text}``
mappings, Markdown as the author wrote it (render with ``lessons.markdown``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from architect.guest_rows import GuestOwned, owner_constraints, owner_user


def pick_text(texts: object, lang: str, fallback: str = "en") -> str:
    """The text in ``lang`` from a ``{lang: text}`` mapping, else ``fallback``'s, else any."""
    if not isinstance(texts, dict) or not texts:
        return ""
    for key in (lang, lang.split("-")[0], fallback):
        if key in texts:
            return str(texts[key])
    return str(next(iter(texts.values())))


class Plan(models.Model):
    """A lesson plan: one YAML file, several stages."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.JSONField(_("title"), default=dict)
    summary = models.JSONField(_("summary"), default=dict)
    languages = models.JSONField(_("languages"), default=list)
    author = models.CharField(_("author"), max_length=200, blank=True)
    license = models.CharField(_("license"), max_length=100, blank=True)
    source_path = models.CharField(_("source file"), max_length=500, blank=True)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    # False for a plan written in the browser (authoring): each published version and each
    # draft preview is a plan of its own, reached by its address, not listed here.
    library = models.BooleanField(_("in the library"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("lesson plan")
        verbose_name_plural = _("lesson plans")

    def __str__(self) -> str:
        return self.text("title", "en") or self.slug

    def get_absolute_url(self) -> str:
        return reverse("lessons:plan", args=[self.slug])

    def get_finished_url(self) -> str:
        """The end-of-plan page: what the learner completed, what to read next."""
        return reverse("lessons:finished", args=[self.slug])

    def text(self, field: str, lang: str) -> str:
        """``title`` or ``summary`` in ``lang`` (the plan's first language when missing)."""
        return pick_text(getattr(self, field), lang, self._fallback())

    def _fallback(self) -> str:
        return self.languages[0] if self.languages else "en"


class Stage(models.Model):
    """One stage of a plan. ``data`` holds its normalised content (see module docstring)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="stages", verbose_name=_("plan")
    )
    order = models.PositiveIntegerField(_("order"))
    slug = models.SlugField(_("slug"), max_length=80)
    data = models.JSONField(_("content"), default=dict)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="lessons_stage_unique_slug"),
            models.UniqueConstraint(fields=["plan", "order"], name="lessons_stage_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("lessons:stage", args=[self.plan.slug, self.slug])

    def text(self, field: str, lang: str) -> str:
        """A text of the stage in ``lang``: ``title``, ``body``, ``debrief``, or a dotted
        path such as ``goal.text``, ``predict.question`` or ``predict.why``."""
        value: Any = self.data
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return pick_text(value, lang, self.plan._fallback())

    def texts(self, field: str, lang: str) -> list[str]:
        """A list of texts in ``lang``: ``hints`` or ``predict.choices``."""
        value: Any = self.data
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        fallback = self.plan._fallback()
        return [pick_text(item, lang, fallback) for item in value or []]

    @property
    def experiment_slugs(self) -> list[str]:
        """The slugs of the stage's "try it" experiments, in order."""
        return [str(e.get("slug")) for e in self.data.get("experiments") or ()]

    def experiment(self, slug: str) -> Stage:
        """The experiment ``slug`` as a stage of its own (not saved: it is read from this
        stage's ``data``; ``experiment_of`` is this stage); raises ``Stage.DoesNotExist``."""
        for data in self.data.get("experiments") or ():
            if data.get("slug") == slug:
                view = Stage(plan=self.plan, order=self.order, slug=self.slug, data=data)
                view.experiment_of = self
                return view
        raise Stage.DoesNotExist(f"{self}: no experiment {slug}")

    experiment_of: Stage | None = None  # set on an experiment's stage (``experiment``)

    def get_experiment_url(self, slug: str) -> str:
        return reverse("lessons:experiment", args=[self.plan.slug, self.slug, slug])

    @property
    def offered_controls(self) -> frozenset[str] | None:
        """The action names whose controls the stage shows; None when it lists none
        (the whole sandbox)."""
        return frozenset(self.data.get("controls") or ()) or None

    @property
    def title(self) -> dict[str, str]:
        return dict(self.data.get("title", {}))

    @property
    def goal(self) -> dict[str, Any]:
        """The goal mapping, as ``lessons.goals.GoalTracker`` takes it."""
        return dict(self.data.get("goal", {}))

    @property
    def topology(self) -> dict[str, Any]:
        """The run topology (``dump_topology`` output, with the scenario's events)."""
        return dict(self.data.get("topology", {}))

    @property
    def duration_s(self) -> float:
        return float(self.data.get("duration_s", 40))


class Progress(GuestOwned):
    """How far one learner (a user, or an anonymous session) got in one stage."""

    scope = "stage"
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="progress", verbose_name=_("stage")
    )
    user = owner_user("lesson_progress")
    prediction = models.IntegerField(_("prediction"), null=True, blank=True)
    # the stage's "try it" experiments: {slug: {"prediction": int, "completed_at": ISO time}}
    experiments = models.JSONField(_("experiments"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        constraints = owner_constraints("lessons_progress", "stage")

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    def absorb(self, guest: Any) -> list[str]:
        """This learner's predictions win; the earlier completions are kept (the stage's and
        each experiment's)."""
        if self.prediction is None:
            self.prediction = guest.prediction
        done = [t for t in (self.completed_at, guest.completed_at) if t is not None]
        self.completed_at = min(done) if done else None
        self.experiments = merged_experiments(self.experiments, guest.experiments)
        return ["prediction", "completed_at", "experiments"]

    def tried(self) -> set[str]:
        """The slugs of the experiments whose goal this learner met."""
        return {
            slug
            for slug, record in (self.experiments or {}).items()
            if isinstance(record, dict) and record.get("completed_at")
        }

    def experiment_prediction(self, slug: str) -> int | None:
        record = (self.experiments or {}).get(slug)
        guess = record.get("prediction") if isinstance(record, dict) else None
        return guess if isinstance(guess, int) and not isinstance(guess, bool) else None


def merged_experiments(kept: object, other: object) -> dict[str, Any]:
    """Both records of each experiment: the kept prediction wins, a completion is kept."""
    mine = dict(kept) if isinstance(kept, dict) else {}
    for slug, record in other.items() if isinstance(other, dict) else ():
        if not isinstance(record, dict):
            continue
        found = mine.get(slug)
        ours: dict[str, Any] = found if isinstance(found, dict) else {}
        times = [t for t in (ours.get("completed_at"), record.get("completed_at")) if t]
        merged = {**record, **{k: v for k, v in ours.items() if v is not None}}
        if times:
            merged["completed_at"] = min(times)
        mine[slug] = merged
    return mine
