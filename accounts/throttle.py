"""Log-in and sign-up attempts throttled per client address and per account, with backoff.

Each key (an address, or a user name) counts its failures. The first ``free`` of them
cost nothing; after that each further attempt must wait ``base_s × 2^(extra)`` seconds
(capped at ``max_s``) after the last failure. A key is forgotten ``window_s`` after its
last failure; a successful log-in or sign-up forgets the account's key at once (not the
address's: an attacker's own account must not reset the count for everyone else's).

A throttled attempt is answered before any password is hashed, so it costs a cache
read, not the 0.25 s of CPU a password check takes. Counts live in Django's cache (the
``default`` one: in-process memory, or Redis when ``REDIS_URL`` is set, shared by every
process). Time comes from ``now()``, which tests replace.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from architect import client_address

logger = logging.getLogger(__name__)


def now() -> float:
    """Seconds since the epoch (replaced by tests)."""
    return time.time()


@dataclass(frozen=True, slots=True)
class Policy:
    """How many failures a key may have before it waits, and how long it waits."""

    scope: str
    free: int
    base_s: float
    max_s: float
    window_s: float

    def wait(self, failures: int) -> float:
        """Seconds to wait after the last failure once ``failures`` have been counted."""
        extra = failures - self.free
        if extra < 0:
            return 0.0
        return min(self.max_s, self.base_s * 2 ** min(extra, 60))


def policies() -> dict[str, Policy]:
    """The policies by name, from ``settings.ACCOUNT_THROTTLE``."""
    config = settings.ACCOUNT_THROTTLE
    window, longest = float(config["window_s"]), float(config["max_wait_s"])
    return {
        name: Policy(name, int(config[name]), 1.0, longest, window)
        for name in ("login_account", "login_address", "signup_account", "signup_address")
    }


def address(request: HttpRequest) -> str:
    """The request's client address, as the limits count it (``client_address``)."""
    return client_address.counted(str(request.META.get("REMOTE_ADDR") or "unknown"))


def account(name: object) -> str:
    """A user name as the throttle counts it: trimmed and case-folded."""
    return str(name or "").strip().casefold()[:150]


def _key(policy: Policy, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"throttle:{policy.scope}:{digest}"


def _state(policy: Policy, value: str) -> tuple[int, float]:
    """(failures, time of the last failure) for a key, forgotten after the window."""
    failures, last = cache.get(_key(policy, value)) or (0, 0.0)
    if now() - last >= policy.window_s:
        return 0, 0.0
    return int(failures), float(last)


def retry_after(checks: list[tuple[Policy, str]]) -> int:
    """Whole seconds until every key in ``checks`` may try again (0: go ahead)."""
    waits = [0.0]
    for policy, value in checks:
        failures, last = _state(policy, value)
        if failures:
            waits.append(last + policy.wait(failures) - now())
    return max(0, math.ceil(max(waits)))


def count(checks: list[tuple[Policy, str]]) -> None:
    """Count one failed (or, for sign-ups per address, any) attempt for every key."""
    for policy, value in checks:
        failures = _state(policy, value)[0] + 1
        timeout = policy.window_s + policy.max_s
        key = _key(policy, value)
        cache.set(key, (failures, now()), timeout=math.ceil(timeout))
        if failures == policy.free:  # once per key, not per attempt (429s are not logged)
            logger.warning("%s reached %s attempts: further ones wait", key, failures)


def forget(policy: Policy, value: str) -> None:
    """Forget an account's failures."""
    cache.delete(_key(policy, value))


def message(seconds: int) -> str:
    """The throttled learner's explanation, in their language."""
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "Too many attempts. Please wait %(count)d minute and try again.",
            "Too many attempts. Please wait %(count)d minutes and try again.",
            minutes,
        ) % {"count": minutes}
    return ngettext(
        "Too many attempts. Please wait %(count)d second and try again.",
        "Too many attempts. Please wait %(count)d seconds and try again.",
        seconds,
    ) % {"count": seconds}
