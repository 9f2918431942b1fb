"""What a test does when a system dependency (Chromium, PostgreSQL, Redis) is missing.

``make test`` installs them, so a missing one means the machine was not set up by it:
in CI (``CI`` set to true, as CI services and ``.ci/run`` do) that is a failure, never
a skip; on a developer's machine the tests that need it are skipped, saying why.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """True when the ``CI`` variable says so ("true", "1" or "yes", any case)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def missing(message: str) -> NoReturn:
    """Fail in CI, skip elsewhere; the message says what is missing and how to get it."""
    if in_ci():
        pytest.fail(f"{message} (CI: a missing dependency fails)", pytrace=False)
    pytest.skip(message)
