"""Numbers as the learner's language writes them."""

from __future__ import annotations

from functools import lru_cache

from django.utils.formats import number_format
from django.utils.translation import get_language


def num(value: float, places: int = 0) -> str:
    """A number formatted for the active language, with thousands grouping."""
    return _formatted(float(round(value, places)) + 0.0, places, get_language())  # + 0.0: no "-0"


@lru_cache(maxsize=4096)
def _formatted(value: float, places: int, language: str) -> str:
    """``num``'s work, cached: a tick shows mostly the numbers the last one showed."""
    return number_format(value, places, force_grouping=True)
