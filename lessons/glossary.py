"""The chapter's terms (lessons/glossary.yaml) and the checks that keep texts to them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")

# A particle or a verb ending written apart from the word it belongs to: "**적중(hit)** 하면",
# "hashing) 를". Korean attaches these to the word before; a space there reads as a typo.
_PARTICLES = "을|를|이|가|은|는|와|과|으로|로|의|에|에서|도|만|하면|하고|합니다|됩니다"
_DETACHED = re.compile(rf"(?:\*\*|\)|`) (?:{_PARTICLES})(?=[\s.,)]|$)")
# A verbal noun split from its 되다 ending: "유실 됩니다", "승격 되면" (but "하면 됩니다" is right).
_SPLIT_VERB = re.compile(r"([가-힣]+)\*{0,2} (?:됩니다|되면|되어|된다|되고)(?=[\s.,]|$)")
_ENDS_A_CLAUSE = set("면게야록지도가이을를은는로에안못잘")


@dataclass(frozen=True)
class Term:
    en: str
    ko: str
    forbidden: tuple[str, ...] = ()
    note: str = ""


@cache
def terms() -> tuple[Term, ...]:
    """Every term of the glossary, in its order."""
    data: dict[str, Any] = yaml.safe_load(GLOSSARY_PATH.read_text(encoding="utf-8"))
    return tuple(
        Term(
            en=str(row["en"]),
            ko=str(row["ko"]),
            forbidden=tuple(str(v) for v in row.get("forbidden", ())),
            note=str(row.get("note", "")),
        )
        for row in data["terms"]
    )


def forbidden_uses(text: str) -> list[str]:
    """One line per forbidden variant in a Korean text: 'variant → preferred'."""
    return [
        f"{variant} → {term.ko}"
        for term in terms()
        for variant in term.forbidden
        if variant in text
    ]


def spacing_problems(text: str) -> list[str]:
    """The particles and endings a Korean text writes apart from their word."""
    text = " ".join(text.split())  # a line break inside a paragraph is a space once rendered
    split = [m.group(0) for m in _SPLIT_VERB.finditer(text) if m.group(1)[-1] not in _ENDS_A_CLAUSE]
    return [m.group(0) for m in _DETACHED.finditer(text)] + split
