"""A design shown on the projector is drawn in each screen's own language."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from classrooms.fragments import spotlight_context

from helpers.plans import TWO_TIERS


def shown_labels(language: str) -> str:
    view = SimpleNamespace(spotlight={"number": 1, "topology": TWO_TIERS, "result": {}})
    with translation.override(language):
        return repr(spotlight_context(view))  # type: ignore[arg-type]


def test_a_shown_design_is_labelled_in_each_screens_language():
    english, korean = shown_labels("en"), shown_labels("ko")
    assert "Users" in english and "Users" not in korean
    assert "사용자" in korean
