"""A guest's session: created when there is progress to keep, not on every page view.

Reading a stage creates nothing. The first time a guest's progress must be saved (a
prediction, a finished stage), the stage's socket creates a session (``session_for``)
and saves the progress in it. A WebSocket cannot set a cookie, so the socket sends the
page a signed token valid for ``TOKEN_MAX_AGE_S`` (``token``), which the page posts at
once (htmx, with its CSRF token) to ``accounts.views.keep_guest_session``; there
``adopt`` gives the browser that session's cookie. If the browser got a session of its
own meanwhile (another tab), or logged in, the new session's rows (``guest_rows``)
move there and the new session is deleted; the socket notices at its next save
(``session_for`` finds the key gone) and starts again. Logging in or signing up changes
the key (Django's ``cycle_key``), so a token read off the page is worthless afterwards.

Expired sessions, with the guests' progress and kept simulations under them, are
deleted by ``manage.py clear_expired`` (run it from cron, see docs/deployment.md) and,
so that ``make run`` needs no cron, here too: when a session is created, at most once
per ``SESSION_CLEAR_EXPIRED_SECONDS`` per process.
"""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.http import HttpRequest

from architect import guest_rows

# The salt and the mark keep the names they had in lessons/: tokens and sessions stay valid.
SALT = "lessons.guest-session"
TOKEN_MAX_AGE_S = 600
MARK = "lessons_guest"  # what a guest session holds until it holds more
_last_clear = float("-inf")  # when this process last deleted expired sessions


def now() -> float:
    """Seconds on a monotonic clock (replaced by tests)."""
    return time.monotonic()


def _store(key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=key)
    return store


def alive(key: str) -> bool:
    """Whether ``key`` names a session that exists and has not expired."""
    if not key:
        return False
    store = _store(key)
    store.load()  # a missing or expired session forgets its key
    return store.session_key is not None


def session_for(key: str) -> tuple[str, bool]:
    """A live session key to keep a guest's progress under: ``key`` while it lives, else a
    new session's; True when the session is new (the page must then adopt it)."""
    if alive(key):
        return key, False
    clear_expired_now_and_then()
    store = _store()
    store[MARK] = True
    store.create()
    return str(store.session_key), True


def clear_expired_now_and_then() -> bool:
    """Delete expired sessions unless this process did within the set period; True if it did."""
    global _last_clear
    every = settings.SESSION_CLEAR_EXPIRED_SECONDS
    if every <= 0 or now() - _last_clear < every:
        return False
    _last_clear = now()
    clear_expired()
    return True


def clear_expired() -> dict[str, int]:
    """Delete expired sessions, then the guests' rows left without a session (kept
    simulations, progress: ``guest_rows``); the counts deleted by kind of row."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return guest_rows.delete_all_orphans()


def token(key: str) -> str:
    """What the page posts to adopt the session ``key``."""
    return signing.dumps(key, salt=SALT)


def read_token(value: str) -> str | None:
    """The session key in a token, or None when it is forged, malformed or too old."""
    try:
        key = signing.loads(value, salt=SALT, max_age=TOKEN_MAX_AGE_S)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and key else None


def adopt(request: HttpRequest, key: str) -> None:
    """Give the browser the guest session ``key``, or move its progress to the browser's
    own learner (a logged-in user, or a session it already has) and delete it."""
    if not alive(key):
        return
    user: Any = request.user
    own = str(request.session.session_key or "")
    if own == key and not user.is_authenticated:
        return  # already the browser's
    if user.is_authenticated:
        guest_rows.move_all(session_key=key, user=user)
    elif own and alive(own):
        guest_rows.move_all(session_key=key, to_session_key=own)
    else:
        store = _store(key)
        store[MARK] = True  # modified: the session middleware saves it and sets the cookie
        request.session = store
        return
    _store(key).delete()
