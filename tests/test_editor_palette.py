"""The code editor's colours (tools/vendor/codemirror/src/palette.json) meet WCAG 2.2 AA.

Text needs 4.5:1 against every background it can sit on: the editor, the selection, the
active line drawn over either, and each highlight mark (search match, bracket match, …)
over those. Non-text marks (lint markers and underlines, focus ring, cursor) need 3:1
(success criterion 1.4.11). Contrast and luminance follow the WCAG definitions.
"""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path
from typing import Any

import pytest

PALETTE_FILE = Path(__file__).resolve().parents[1] / "tools/vendor/codemirror/src/palette.json"
PALETTE: dict[str, Any] = json.loads(PALETTE_FILE.read_text(encoding="utf-8"))
SCHEMES = sorted(PALETTE)
TEXT, NON_TEXT = 4.5, 3.0


def channels(colour: str) -> tuple[list[float], float]:
    """#rrggbb or #rrggbbaa as ([r, g, b] in 0..1, alpha)."""
    digits = colour.removeprefix("#")
    assert len(digits) in (6, 8), colour
    values = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
    return values[:3], values[3] if len(values) == 4 else 1.0


def over(top: str, bottom: str) -> str:
    """``top`` composited over the opaque ``bottom``."""
    (front, alpha), (back, _) = channels(top), channels(bottom)
    mixed = (alpha * f + (1 - alpha) * b for f, b in zip(front, back, strict=True))
    return "#" + "".join(f"{round(value * 255):02x}" for value in mixed)


def luminance(colour: str) -> float:
    rgb, alpha = channels(colour)
    assert alpha == 1.0, f"{colour} must be opaque here"
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_backgrounds(scheme: dict[str, Any]) -> list[str]:
    """Every background code text can sit on."""
    bases = [scheme["background"], scheme["selection"]]
    lines = [b for base in bases for b in (base, over(scheme["activeLine"], base))]
    marks = [over(mark, line) for mark, line in product(scheme["marks"].values(), lines)]
    return lines + marks


def test_the_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert over("#00000080", "#ffffff") == "#7f7f7f"


@pytest.mark.parametrize("name", SCHEMES)
def test_code_text_meets_aa_on_every_background(name: str) -> None:
    scheme = PALETTE[name]
    colours = {"text": scheme["text"], **scheme["tokens"]}
    failures = [
        f"{role} {colour} on {background}: {contrast(colour, background):.2f}"
        for (role, colour), background in product(colours.items(), text_backgrounds(scheme))
        if contrast(colour, background) < TEXT
    ]
    assert failures == []


@pytest.mark.parametrize("name", SCHEMES)
def test_gutter_panel_and_tooltip_text_meet_aa(name: str) -> None:
    scheme = PALETTE[name]
    gutter, panel, tooltip = scheme["gutter"], scheme["panel"], scheme["tooltip"]
    pairs = [
        *product(
            [gutter["text"], gutter["activeText"]],
            [gutter["background"], gutter["activeBackground"]],
        ),
        *product([panel["text"]], [panel["background"], panel["selectedBackground"]]),
        (panel["text"], scheme["background"]),  # search fields and buttons
        (tooltip["text"], tooltip["background"]),
    ]
    assert [p for p in pairs if contrast(*p) < TEXT] == []


@pytest.mark.parametrize("name", SCHEMES)
def test_marks_focus_ring_and_cursor_meet_the_non_text_minimum(name: str) -> None:
    scheme = PALETTE[name]
    surfaces = [
        scheme["background"],
        scheme["gutter"]["background"],
        scheme["panel"]["background"],
        scheme["tooltip"]["background"],
    ]
    marks = [*scheme["severity"].values(), scheme["focusRing"], scheme["cursor"]]
    assert [(m, s) for m, s in product(marks, surfaces) if contrast(m, s) < NON_TEXT] == []
    cursor_failures = [
        b for b in text_backgrounds(scheme) if contrast(scheme["cursor"], b) < NON_TEXT
    ]
    assert cursor_failures == []


def test_both_schemes_define_the_same_colours() -> None:
    def shape(value: Any) -> Any:
        return {k: shape(v) for k, v in value.items()} if isinstance(value, dict) else None

    assert shape(PALETTE["light"]) == shape(PALETTE["dark"])
