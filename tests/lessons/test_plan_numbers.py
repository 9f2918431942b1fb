"""Every text of a shipped plan gives the same numbers in English and in Korean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted((ROOT / "lessons" / "plans").glob("*.yaml"))

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# Names with digits in them (web-1, db-r1, p99, N+1, `user_id % 4`) are not quantities.
_NAMES = re.compile(r"`[^`]*`|\b(?:web|db-r|db|shard)-?\d+|\bp\d\d|N\+1|1/\(n\+1\)")
_EN_WORDS = {"three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "million": 1_000_000}
_KO_WORDS = {"세": 3, "네": 4, "다섯": 5, "여섯": 6, "열": 10}
_KO_COUNTERS = "대|개|명|번(?!째)|건|장|가지|배"  # not 번째: "세 번째" is "third"


def _numbers(text: str, language: str) -> set[float]:
    """The quantities a text states (1 and 2 are left out: "a", "both", "second" say them too)."""
    text = _NAMES.sub(" ", text)
    if language == "en":
        for word, value in _EN_WORDS.items():
            text = re.sub(rf"\b{word}\b", f" {value} ", text, flags=re.IGNORECASE)
        text = re.sub(r"\ba third(?= of\b)", " 0.333 ", text, flags=re.IGNORECASE)
        text = re.sub(r"\ba quarter\b", " 0.25 ", text, flags=re.IGNORECASE)
    else:
        text = re.sub(
            r"(\d+)분의 (\d+)", lambda m: f" {int(m.group(2)) / int(m.group(1)):.3g} ", text
        )
        text = re.sub(r"(\d+)만", lambda m: str(int(m.group(1)) * 10_000), text)
        for word, value in _KO_WORDS.items():
            text = re.sub(rf"(?<![가-힣]){word} (?={_KO_COUNTERS})", f" {value} ", text)
    found = {float(n.replace(",", "")) for n in _NUMBER.findall(text)}
    return found - {1.0, 2.0}


def _texts(node: Any, path: str = "") -> list[tuple[str, dict[str, str]]]:
    if isinstance(node, dict):
        if isinstance(node.get("en"), str) and isinstance(node.get("ko"), str):
            return [(path, node)]
        return [t for k, v in node.items() for t in _texts(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [t for i, v in enumerate(node) for t in _texts(v, f"{path}[{i}]")]
    return []


def test_the_reading_of_numbers_works_on_both_languages() -> None:
    assert _numbers("web-1 serves 1,200 requests a second, a third of ten", "en") == {
        1200,
        0.333,
        10,
    }
    assert _numbers("web-1이 초당 1,200건, 10의 3분의 1", "ko") == {1200, 10, 0.333}
    assert _numbers("사용자 1만 명과 서버 세 대", "ko") == {10_000, 3}


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
def test_english_and_korean_agree_on_every_number(plan: Path) -> None:
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    disagreements = [
        f"{where}: en {sorted(en - ko)} ko {sorted(ko - en)}"
        for where, text in _texts(data)
        if (en := _numbers(text["en"], "en")) != (ko := _numbers(text["ko"], "ko"))
    ]
    assert disagreements == []
