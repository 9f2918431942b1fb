"""Per-user limits on the editor's costly requests (loading a plan of up to 1 MiB, queuing a
check): a count per user and minute in Django's cache (in-process, or Redis when
``REDIS_URL`` is set, so shared by every process). ``settings.AUTHORING_RATES`` gives the
requests a minute per kind; time comes from ``now()``, which tests replace."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

DEFAULT_RATES = {"edit": 120, "check": 6}


def now() -> float:
    return time.time()


def limit(kind: str) -> int:
    """Requests of ``kind`` a user may make a minute."""
    return int(getattr(settings, "AUTHORING_RATES", DEFAULT_RATES)[kind])


def allow(user: Any, kind: str) -> bool:
    """Count one request of ``kind`` for ``user``; False once this minute's are spent."""
    key = f"authoring-rate:{kind}:{user.pk}:{int(now() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return bool(count <= limit(kind))
