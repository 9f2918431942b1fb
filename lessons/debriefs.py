"""Debriefs that tell what this learner did: texts chosen by conditions on the run.

A stage's ``debrief`` is one text, or a list of parts, each shown when its ``when``
holds for the run just finished (a part without ``when`` always shows)::

    debrief:
      - text: {en: "...", ko: "..."}
      - when: {repaired_by: script}          # script | operator | learner | nobody
        text: {en: "A script replaced web-1 ...", ko: "..."}
      - when: {center: europe}               # a data center in that region ran
        text: {...}
      - when: {cost_per_month: {above: 1000}}  # the highest monthly cost of the run
        text: {...}

``RunFacts`` collects what a run did from its snapshots (and the learner's restores);
``chosen`` picks the parts. No Django here but the reader's problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from architect.sim.model.limits import REGIONS
from architect.sim.snapshot import EventKind, Snapshot
from architect.sim.text import N_
from architect.yamlmarks import join
from lessons.goals import OPERATORS

if TYPE_CHECKING:
    from lessons.format import _Reader

REPAIRERS = ("script", "operator", "learner", "nobody")
WHEN_KEYS = ("repaired_by", "center", "cost_per_month")
MAX_PARTS = 10
_WHO = {"automated": "script", "manual": "operator", "unmonitored": "operator"}


@dataclass
class RunFacts:
    """What one run did, as the debrief's conditions ask about it."""

    repaired_by: set[str] = field(default_factory=set)  # script, operator, learner
    centers: set[str] = field(default_factory=set)  # regions with a data center
    cost_per_month: float = 0.0  # the highest of the run
    _seen: set[tuple[float, str]] = field(default_factory=set)

    def observe(self, snapshot: Snapshot) -> None:
        self.cost_per_month = max(self.cost_per_month, snapshot.cost_per_month)
        self.centers |= {c.name for c in snapshot.centers if c.name}
        for event in snapshot.events:
            key = (event.t, event.node)
            if event.kind == EventKind.NODE_REPAIRED and key not in self._seen:
                self._seen.add(key)
                self.repaired_by.add(_WHO.get(event.text, "operator"))

    def learner_restored(self) -> None:
        self.repaired_by.add("learner")

    def holds(self, when: Mapping[str, Any]) -> bool:
        """Every condition of ``when`` holds for this run."""
        for key, wanted in when.items():
            if key == "repaired_by":
                ok = wanted in self.repaired_by if wanted != "nobody" else not self.repaired_by
            elif key == "center":
                ok = wanted in self.centers
            elif key == "cost_per_month" and wanted:
                op, number = next(iter(wanted.items()))
                ok = OPERATORS[op](self.cost_per_month, float(number))
            else:
                ok = False
            if not ok:
                return False
        return True


def parts(debrief: object) -> list[dict[str, Any]]:
    """A stage's stored debrief as parts: ``{"text": {...}, "when": {...}}``."""
    if isinstance(debrief, Mapping):
        return [{"text": dict(debrief), "when": {}}] if debrief else []
    if isinstance(debrief, list):
        return [dict(p) for p in debrief if isinstance(p, Mapping)]
    return []


def chosen(debrief: object, facts: RunFacts | None) -> list[dict[str, str]]:
    """The texts to show: every part whose ``when`` holds (without facts: those without
    a ``when``, as for a stage met in an earlier visit)."""
    return [
        dict(p.get("text") or {})
        for p in parts(debrief)
        if not p.get("when") or (facts is not None and facts.holds(p["when"]))
    ]


def read_debrief(r: _Reader, raw: object, path: str) -> dict[str, str] | list[dict[str, Any]]:
    """The plan's ``debrief``: texts, or a list of parts with their ``when``."""
    if not isinstance(raw, list):
        return r.texts(raw, path)
    if not 1 <= len(raw) <= MAX_PARTS:
        r.problem(path, N_("must be a text, or a list of 1 to %(limit)s parts"), limit=MAX_PARTS)
        return []
    found = []
    for index, item in enumerate(raw):
        where = join(path, index)
        data = r.mapping(item, where, ("when", "text"), ("text",))
        if not data:
            continue
        text = r.texts(data.get("text"), join(where, "text"))
        when = _when(r, data.get("when", {}), join(where, "when"))
        found.append({"text": text, "when": when})
    return found


def _when(r: _Reader, raw: object, path: str) -> dict[str, Any]:
    data = r.mapping(raw, path, WHEN_KEYS)
    when: dict[str, Any] = {}
    for key, value in data.items():
        where = join(path, key)
        if key == "repaired_by" and value not in REPAIRERS:
            r.problem(where, N_("must be one of %(choices)s"), choices=", ".join(REPAIRERS))
        elif key == "center" and value not in REGIONS:
            r.problem(where, N_("must be one of %(choices)s"), choices=", ".join(REGIONS))
        elif key == "cost_per_month":
            when[key] = _comparison(r, value, where)
            continue
        elif key in WHEN_KEYS:
            when[key] = value
    return when


def _comparison(r: _Reader, raw: object, path: str) -> dict[str, float]:
    ops = [op for op in OPERATORS if isinstance(raw, Mapping) and op in raw]
    if not isinstance(raw, Mapping) or len(ops) != 1 or len(raw) != 1:
        r.problem(
            path,
            N_("must be one comparison, like {at_most: 1000} (%(operators)s)"),
            operators=", ".join(OPERATORS),
        )
        return {}
    number = r.number(raw[ops[0]], join(path, ops[0]), 0, 1e9)
    return {ops[0]: number} if number is not None else {}
