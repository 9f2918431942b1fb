"""Join attempts with a wrong code, limited per client address (guessing codes is slow).

A class behind one school network shares one address, so only wrong codes count:
sixty phones joining a real room never wait. Each address may send
``CLASSROOM_JOIN_FAILURES`` wrong codes per ``CLASSROOM_JOIN_WINDOW_SECONDS``; then every
join from it waits until the window ends. Counts live in Django's ``default`` cache
(per process in memory, or shared in Redis) and are counted with ``add`` then ``incr``,
both atomic in either backend, so concurrent requests (threads of the ASGI server's
sync views) never lose a count. Time comes from ``now()``, which tests replace.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from accounts.throttle import address


def now() -> float:
    """Seconds since the epoch (replaced by tests)."""
    return time.time()


def _key(request: HttpRequest) -> tuple[str, float]:
    """The cache key of the request's address in the current window, and the window's end."""
    window = float(settings.CLASSROOM_JOIN_WINDOW_SECONDS)
    start = math.floor(now() / window) * window
    digest = hashlib.sha256(address(request).encode()).hexdigest()[:32]
    return f"classroom-join:{digest}:{int(start)}", start + window


def retry_after(request: HttpRequest) -> int:
    """Whole seconds until this address may try to join again (0: go ahead)."""
    key, ends = _key(request)
    if int(cache.get(key) or 0) < settings.CLASSROOM_JOIN_FAILURES:
        return 0
    return max(1, math.ceil(ends - now()))


def count_failure(request: HttpRequest) -> None:
    """Count one wrong code from this address."""
    key, ends = _key(request)
    timeout = max(1, math.ceil(ends - now()))
    cache.add(key, 0, timeout=timeout)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first of a new window
        cache.add(key, 1, timeout=timeout)


def message(seconds: int) -> str:
    """Why the join was refused, in the student's language."""
    return ngettext(
        "Too many wrong class codes from this network. Wait %(count)d second and try again.",
        "Too many wrong class codes from this network. Wait %(count)d seconds and try again.",
        seconds,
    ) % {"count": seconds}
