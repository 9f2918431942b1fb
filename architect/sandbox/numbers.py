"""Numbers as the learner's language writes them."""

from __future__ import annotations

from functools import lru_cache

from django.utils.formats import number_format
from django.utils.translation import get_language


def num(value: float, places: int = 0, language: str | None = None) -> str:
    """A number formatted for the active language, with thousands grouping; ``language``:
    the active one when the caller has it already (asking costs a context-local lookup)."""
    rounded = float(round(value, places)) + 0.0  # + 0.0: no "-0"
    return _formatted(rounded, places, language or get_language())


@lru_cache(maxsize=4096)
def _formatted(value: float, places: int, language: str) -> str:
    """``num``'s work, cached: a tick shows mostly the numbers the last one showed."""
    return number_format(value, places, force_grouping=True)
