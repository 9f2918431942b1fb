"""A pytest plugin (pyproject.toml: -p helpers.language): every test starts in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts and ends in the default language: a request in another language
    activates it for the thread (LocaleMiddleware) and would leak into the next test."""
    translation.activate("en")
    yield
    translation.activate("en")
