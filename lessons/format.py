"""Read a lesson plan (YAML, docs/lesson-format.md) into ``lessons.content.Plan``.

The plan and its values here; each stage in ``lessons.stage_format``.

``load_plan(text, source=...)`` checks everything and raises ``PlanError``
listing every problem at once, each as ``file:line: field.path: reason``
(``PlanProblem``: the reason is a translatable template, ``architect.sim.text``).
Each stage's topology is resolved (``from: previous``), validated by the
engine's loader, and the scenario folded in. No Django here.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from architect.sim.commands import Command
from architect.sim.model.problems import A_NUMBER, A_WHOLE_NUMBER, BETWEEN
from architect.sim.model.topology import Topology
from architect.sim.text import N_, Params, render
from architect.yamlmarks import YamlProblem, join, parse_with_lines
from lessons import content
from lessons.markdown_limits import markdown_problem
from lessons.stage_format import StageReader

FORMAT = 1
MAX_FILE_BYTES = 1024 * 1024
MAX_STAGES = 40
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_PLAN_KEYS = ("format", "slug", "title", "summary", "languages", "author", "license", "stages")
_LAST_PART = re.compile(r"(\.[^.\[]+|\[\d+\])$")


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """One problem in a plan file: ``file:line: path: reason`` (no path for bad YAML)."""

    source: str
    line: int
    path: str
    reason: str
    params: Params = field(default_factory=dict, hash=False)

    @property
    def where(self) -> str:
        return (
            f"{self.source}:{self.line}: {self.path}" if self.path else f"{self.source}:{self.line}"
        )

    @property
    def message(self) -> str:
        return render(self.reason, self.params)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class PlanError(Exception):
    """A plan that cannot be loaded, with every problem and its file and line.

    ``problems`` are the English lines; ``details`` the ``PlanProblem`` objects
    (``lessons.problem_text`` gives them in the user's language).
    """

    def __init__(self, problems: list[PlanProblem]) -> None:
        self.details = tuple(problems)
        self.problems = tuple(map(str, problems))
        super().__init__("\n".join(self.problems))


def _file_problem(source: str, reason: str, /, **params: object) -> PlanError:
    return PlanError([PlanProblem(source, 0, "(file)", reason, params)])


def read_plan_file(path: Path, *, source: str) -> tuple[content.Plan, bytes]:
    """Read and load a plan file; ``source`` is the name used in messages."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _file_problem(
            source,
            N_("is %(size)s bytes; a plan file may be at most 1 MiB (%(limit)s)"),
            size=size,
            limit=MAX_FILE_BYTES,
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _file_problem(source, N_("is not UTF-8 text")) from None
    return _load_cached(text, source), raw


@functools.lru_cache(maxsize=16)
def _load_cached(text: str, source: str) -> content.Plan:
    """Plans are loaded again after every test database flush: parse each text once."""
    return load_plan(text, source=source)


def load_plan(text: str, *, source: str) -> content.Plan:
    """A checked plan, or ``PlanError`` with every problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise _file_problem(
            source, N_("a plan file may be at most 1 MiB (%(limit)s bytes)"), limit=MAX_FILE_BYTES
        )
    try:
        data, lines = parse_with_lines(text)
    except YamlProblem as problem:
        raise PlanError(
            [PlanProblem(source, problem.line, "", problem.reason, problem.params)]
        ) from None
    reader = _Reader(source, lines)
    plan = reader.plan(data)
    if reader.problems or plan is None:
        raise PlanError(reader.problems or [PlanProblem(source, 1, "(top)", N_("is not a plan"))])
    return plan


class _Reader:
    """Walks the data once, noting each problem with its line instead of stopping."""

    def __init__(self, source: str, lines: dict[str, int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[PlanProblem] = []
        self.languages: tuple[str, ...] = ("en",)
        self.missing: set[str] = set()

    # -- reporting ------------------------------------------------------------

    def line(self, path: str) -> int:
        while path not in self.lines and path:
            path = _LAST_PART.sub("", path) if _LAST_PART.search(path) else ""
        return self.lines.get(path, 1)

    def problem(self, path: str, reason: str, /, **params: object) -> None:
        """Note a problem at ``path``: ``reason`` is an ``N_`` template that ``params`` fill."""
        self.add(path, reason, params)

    def add(self, path: str, reason: str, params: Params, *, shown: str = "") -> None:
        """Note a problem on the line of ``path``, shown as ``shown`` (default: the path)."""
        if any(path == m or path.startswith((m + ".", m + "[")) for m in self.missing):
            return  # already reported as "is required"
        self.problems.append(
            PlanProblem(self.source, self.line(path), shown or path or "(top)", reason, params)
        )

    def mapping(
        self, raw: object, path: str, known: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """``raw`` as a mapping; unknown and missing fields are problems."""
        if not isinstance(raw, Mapping):
            self.problem(
                path, N_("must be a mapping with %(fields)s"), fields=", ".join(required or known)
            )
            return {}
        for key in raw:
            if str(key) not in known:
                self.problem(
                    join(path, key),
                    N_("unknown field (expected one of %(fields)s)"),
                    fields=", ".join(known),
                )
        for key in required:
            if key not in raw:
                self.problem(join(path, key), N_("is required"))
                self.missing.add(join(path, key))
        return {str(k): v for k, v in raw.items()}

    # -- values ---------------------------------------------------------------

    def number(
        self, raw: object, path: str, low: float, high: float, *, whole: bool = False
    ) -> float | None:
        ok = isinstance(raw, int) if whole else isinstance(raw, (int, float))
        if isinstance(raw, bool) or not ok or not math.isfinite(raw):  # type: ignore[arg-type]
            self.problem(path, A_WHOLE_NUMBER if whole else A_NUMBER)
            return None
        if not low <= raw <= high:  # type: ignore[operator]
            self.problem(path, BETWEEN, low=f"{low:g}", high=f"{high:g}")
            return None
        return float(raw)  # type: ignore[arg-type]

    def slug(self, raw: object, path: str) -> str:
        if not isinstance(raw, str) or not SLUG.match(raw):
            self.problem(path, N_("must be a slug: 1–80 lower-case letters, digits or dashes"))
            return ""
        return raw

    def line_text(self, raw: object, path: str, limit: int = 200) -> str:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > limit:
            self.problem(path, N_("must be text of 1 to %(limit)s characters"), limit=limit)
            return ""
        return raw.strip()

    def texts(self, raw: object, path: str) -> content.Texts:
        """A ``{language: text}`` mapping holding exactly the plan's languages."""
        if isinstance(raw, str):
            self.problem(
                path,
                N_("must be a mapping with a text for each language (%(languages)s)"),
                languages=", ".join(self.languages),
            )
            return {}
        data = self.mapping(raw, path, self.languages, self.languages)
        result: content.Texts = {}
        for lang, text in data.items():
            if lang not in self.languages:
                continue
            where = join(path, lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(where, N_("must be non-empty text"))
            elif (costly := markdown_problem(text)) is not None:
                self.add(where, *costly)
            else:
                result[lang] = text.strip()
        return result

    def texts_list(self, raw: object, path: str, low: int, high: int) -> tuple[content.Texts, ...]:
        if not isinstance(raw, list) or not low <= len(raw) <= high:
            self.problem(
                path, N_("must be a list of %(low)s to %(high)s texts"), low=low, high=high
            )
            return ()
        return tuple(self.texts(item, join(path, i)) for i, item in enumerate(raw))

    # -- the plan -------------------------------------------------------------

    def plan(self, raw: object) -> content.Plan | None:
        data = self.mapping(raw, "", _PLAN_KEYS, ("format", "slug", "title", "languages", "stages"))
        if not data:
            return None
        if data.get("format") != FORMAT:
            self.problem("format", N_("must be %(version)s"), version=FORMAT)
        self.languages = self.language_list(data.get("languages"))
        title = self.texts(data.get("title"), "title")
        summary = self.texts(data["summary"], "summary") if "summary" in data else {}
        stages = self.stages(data.get("stages"))
        return content.Plan(
            slug=self.slug(data.get("slug"), "slug"),
            title=title,
            summary=summary,
            languages=self.languages,
            author=self.line_text(data.get("author", "Anonymous"), "author"),
            license=self.line_text(data.get("license", "All rights reserved"), "license", 100),
            stages=stages,
            source=self.source,
        )

    def language_list(self, raw: object) -> tuple[str, ...]:
        codes = (
            [x for x in raw if isinstance(x, str) and LANGUAGE.match(x)]
            if isinstance(raw, list)
            else []
        )
        if not isinstance(raw, list) or not 1 <= len(raw) <= 10 or len(codes) != len(raw):
            self.problem("languages", N_("must be a list of 1 to 10 language codes, like [en, ko]"))
            return ("en",)
        if len(set(codes)) != len(codes):
            self.problem("languages", N_("lists a language twice"))
        return tuple(dict.fromkeys(codes))

    def stages(self, raw: object) -> tuple[content.Stage, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem("stages", N_("must be a list of at least one stage"))
            return ()
        if len(raw) > MAX_STAGES:
            self.problem(
                "stages",
                N_("has %(count)s stages; a plan may have at most %(limit)s"),
                count=len(raw),
                limit=MAX_STAGES,
            )
            return ()
        stages: list[content.Stage] = []
        previous: tuple[Topology, tuple[Command, ...]] | None = None
        seen: set[str] = set()
        for index, item in enumerate(raw):
            path = f"stages[{index}]"
            stage, start = StageReader(self, path, previous).read(item)
            if stage is not None and stage.slug in seen:
                self.problem(
                    f"{path}.slug", N_('"%(slug)s" is used by an earlier stage'), slug=stage.slug
                )
            if stage is not None:
                seen.add(stage.slug)
                stages.append(stage)
            previous = start
        return tuple(stages)
