"""Shared by the authoring tests: the starter plan's text and fast password hashing."""

from __future__ import annotations

from typing import Any

import pytest

from authoring.views import STARTER

STARTER_TEXT = STARTER.read_text("utf-8")


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Users are made in most tests: MD5 hashing keeps that cheap. The cache is emptied
    too: the editor's rate counts are kept there by user id, which tests reuse."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
