"""A design as a file: exported in the topology format, imported with its problems listed.

``export_text`` writes what ``manage.py simulate`` runs, YAML or JSON (the topology
format has no seed: ``simulate --seed`` takes it, and the YAML says so in a comment).
``import_text`` reads an uploaded file with ``simulate``'s kind of limits (size, UTF-8,
JSON nesting, the plans' safe YAML) and ``load_topology``; it raises nothing but
``ImportProblems``, each problem with its line when the file says (YAML always; JSON
when it also reads as YAML, as it nearly always does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from architect.problem_text import problem_text, reason_text
from architect.sandbox.guard import nesting
from architect.sim.loader import load_topology
from architect.sim.model.plain import MAX_DEPTH
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import Topology
from architect.yamlmarks import YamlProblem, parse_with_lines

MAX_FILE_BYTES = 256 * 1024
FORMATS = {"yaml": "application/yaml", "json": "application/json"}
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
WRONG_NAME = gettext_lazy("The file's name must end in .yaml, .yml or .json.")
NO_FILE = gettext_lazy("Choose a topology file to import.")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, and its line (0: no line known)."""

    line: int
    text: str


class ImportProblems(Exception):
    """Why a file was not imported: every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.text for p in problems))
        self.problems = problems


def too_large() -> list[Problem]:
    limit = MAX_FILE_BYTES // 1024
    return [Problem(0, _("The file is larger than %(limit)s KiB.") % {"limit": limit})]


def export_text(topology: dict[str, Any], seed: int, fmt: str) -> str:
    """``topology`` (the topology format) as a file ``manage.py simulate`` runs."""
    if fmt == "json":
        return json.dumps(topology, indent=2, ensure_ascii=False) + "\n"
    header = f"# Architect design; run it with: manage.py simulate FILE --seed {seed}\n"
    return header + yaml.safe_dump(topology, sort_keys=False, allow_unicode=True)


def import_text(raw: bytes, name: str) -> Topology:
    """The topology in an uploaded file, or ``ImportProblems`` (call it with the learner's
    language active)."""
    fmt = next((f for s, f in SUFFIXES.items() if name.lower().endswith(s)), None)
    if fmt is None:
        raise ImportProblems([Problem(0, str(WRONG_NAME))])
    if len(raw) > MAX_FILE_BYTES:
        raise ImportProblems(too_large())
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportProblems([Problem(0, _("The file is not UTF-8 text."))]) from None
    data, lines = _parse_json(text) if fmt == "json" else _parse_yaml(text)
    try:
        return load_topology(data)
    except TopologyError as error:
        if fmt == "json":
            lines = _json_lines(text)
        raise ImportProblems(
            [Problem(_line(lines, p.path), problem_text(p)) for p in error.problems]
        ) from None


def _parse_yaml(text: str) -> tuple[object, dict[str, int]]:
    try:
        return parse_with_lines(text)
    except YamlProblem as problem:
        message = reason_text(problem.reason, problem.params)
        raise ImportProblems([Problem(problem.line or 0, message)]) from None


def _parse_json(text: str) -> tuple[object, dict[str, int]]:
    if nesting(text) > MAX_DEPTH:
        message = _("The file nests more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
        raise ImportProblems([Problem(0, message)])
    try:
        return json.loads(text), {}
    except json.JSONDecodeError as error:
        raise ImportProblems(
            [Problem(error.lineno, _("This is not JSON: %(reason)s") % {"reason": error.msg})]
        ) from None
    except ValueError:  # a number of more than 4,300 digits
        raise ImportProblems([Problem(0, _("The file holds a number too long to read."))]) from None


def _json_lines(text: str) -> dict[str, int]:
    """Lines of a JSON file's paths, read as YAML (nearly every JSON file is); {} if not."""
    try:
        return parse_with_lines(text)[1]
    except YamlProblem:
        return {}


def _line(lines: dict[str, int], path: str) -> int:
    """The line of ``path``, else of the nearest enclosing path; 0 when none is known."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return lines.get("", 0)
