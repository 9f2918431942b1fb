"""The plans and the Korean catalogue use the chapter's terms (lessons/glossary.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lessons import glossary

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted((ROOT / "lessons" / "plans").glob("*.yaml"))
CATALOGUE = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def _texts(node: Any, path: str = "") -> list[tuple[str, dict[str, str]]]:
    """Every {en, ko} text of a plan, with where it is."""
    if isinstance(node, dict):
        if "ko" in node and "en" in node and isinstance(node["ko"], str):
            return [(path, node)]
        return [t for k, v in node.items() for t in _texts(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [t for i, v in enumerate(node) for t in _texts(v, f"{path}[{i}]")]
    return []


def _plan_texts(plan: Path) -> list[tuple[str, dict[str, str]]]:
    return _texts(yaml.safe_load(plan.read_text(encoding="utf-8")))


def _msgstrs() -> list[str]:
    """Each translation of the catalogue, its continuation lines joined."""
    found: list[str] = []
    current: list[str] | None = None
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            current = [line.split(" ", 1)[1]]
            found.append("")
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            current = None
            continue
        found[-1] = "".join(part.strip()[1:-1] for part in current)
    return found


def test_the_glossary_has_no_term_forbidding_itself() -> None:
    terms = glossary.terms()
    assert len(terms) >= 40
    for term in terms:
        assert not glossary.forbidden_uses(term.ko), term


def test_the_checks_catch_what_they_are_for() -> None:
    assert glossary.forbidden_uses("로드 밸런서를 스티키 세션으로") == [
        "로드 밸런서 → 로드밸런서",
        "스티키 → 고정 세션",
    ]
    assert glossary.spacing_problems(
        "**적중(hit)** 하면 되고, 승격 순간 유실 됩니다. hashing) 를"
    ) == [
        "** 하면",
        ") 를",
        "유실 됩니다",
    ]
    assert glossary.spacing_problems("캐시 미스만 처리하면 됩니다. 안 됩니다.") == []


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
def test_plan_uses_the_books_korean_terms(plan: Path) -> None:
    problems = [
        f"{where}: {problem}"
        for where, text in _plan_texts(plan)
        for problem in glossary.forbidden_uses(text["ko"]) + glossary.spacing_problems(text["ko"])
    ]
    assert problems == []


def test_catalogue_uses_the_books_korean_terms() -> None:
    problems = [
        f"{text[:40]}: {problem}"
        for text in _msgstrs()
        for problem in glossary.forbidden_uses(text) + glossary.spacing_problems(text)
    ]
    assert problems == []
