"""Django settings for Architect.

Everything comes from the environment with safe defaults for local development:
run with no variables set and you get DEBUG, SQLite and an in-memory channel layer.
Production sets at least DJANGO_DEBUG=0, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


# --- Core ------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-architect-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",  # first: its runserver serves ASGI (HTTP + WebSocket)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",  # wraps the template loaders so "page.html#partial" works
    "architect.sandbox",
    "lessons",
    "accounts",
    "classrooms",
    "authoring",
    "django_tasks",
    "django_tasks_db",
]

# Background work (the authoring page's "Check", docs/authoring.md): django-tasks, the
# backport of Django 6's tasks, with its database backend. Jobs wait in the database
# (SQLite or PostgreSQL), so any web process may queue one and any worker process
# (`manage.py db_worker`, started by `make run`) may run it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "architect.security_headers.SecurityHeadersMiddleware",  # CSP, Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "architect.urls"
ASGI_APPLICATION = "architect.asgi.application"

# template_partials (25.3) rewrites "loaders" itself at start-up (dropping APP_DIRS),
# so no "loaders" option is given here.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data --------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections don't mix with ASGI's per-request threads: keep 0.
        conn_max_age=0,
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction that reads, then writes, would fail at once ("database is locked")
    # when another thread writes meanwhile (a room's owner saving its checkpoint while a
    # student joins): IMMEDIATE takes the write lock first, and waits up to the timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CHANNEL_LAYERS: dict[str, dict[str, Any]]
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # socket_timeout=None: redis-py >= 8 otherwise defaults to a 5 s socket
                # timeout, which kills the blocking reads of idle consumers.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            },
        },
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the log-in throttle's counts: per process in memory, or shared by every
# process in Redis when REDIS_URL is set (Django's own Redis backend, redis-py).
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Accounts ----------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "lessons:index"
LOGOUT_REDIRECT_URL = "home"

# Sessions: created only when there is something to keep (architect/guests.py), for two
# weeks (Django's default). Expired ones are deleted by `manage.py clearsessions` (cron)
# and, in-process, when a session is created at most this often (0: never).
SESSION_CLEAR_EXPIRED_SECONDS = env_int("SESSION_CLEAR_EXPIRED_SECONDS", 3600)

# Django's four validators; their messages come translated in Django's own catalogue.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},  # 8
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in and sign-up throttling (accounts/throttle.py): failures free per key, then waits
# of 1, 2, 4 … seconds up to max_wait_s; a key is forgotten window_s after its last
# failure. Sign-ups per address count every attempt, successful ones too.
ACCOUNT_THROTTLE = {
    "login_account": env_int("ACCOUNT_LOGIN_FAILURES_PER_ACCOUNT", 5),
    "login_address": env_int("ACCOUNT_LOGIN_FAILURES_PER_ADDRESS", 30),
    "signup_account": env_int("ACCOUNT_SIGNUP_FAILURES_PER_NAME", 5),
    "signup_address": env_int("ACCOUNT_SIGNUPS_PER_ADDRESS", 50),
    "window_s": env_int("ACCOUNT_THROTTLE_WINDOW_SECONDS", 900),
    "max_wait_s": env_int("ACCOUNT_THROTTLE_MAX_WAIT_SECONDS", 900),
}

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ko", _("Korean")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files -------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # DEBUG (dev, tests): plain storage served from the finders, no collectstatic needed.
    # Production: hashed, compressed files written by collectstatic.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (production) ---------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy, always on (development and tests too, so a violation shows
# up at once): our own scripts, styles and sockets only; no inline script or style, no
# eval. Django 6.0's setting of the same name and shape (architect/security_headers.py).
SECURE_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],  # also ws(s): to this host and port (CSP level 3)
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Powerful browser features the app never uses, turned off for it and any frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    name: []
    for name in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
} | {"fullscreen": ["self"]}  # a projector may want the page full screen
SILENCED_SYSTEM_CHECKS: list[str] = []

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)  # one year
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is an opt-in, hard-to-undo commitment for the whole domain
        # (and needs max-age >= 1 year): leave it to the operator, quietly.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    # Behind a TLS-terminating proxy, e.g. "HTTP_X_FORWARDED_PROTO,https".
    _proxy_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER")
    if _proxy_header:
        if len(_proxy_header) != 2:
            raise ImproperlyConfigured(
                "DJANGO_SECURE_PROXY_SSL_HEADER must be 'HEADER,value', "
                "e.g. 'HTTP_X_FORWARDED_PROTO,https'."
            )
        SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1])

# --- Logging -------------------------------------------------------------------


def _not_throttled(record: Any) -> bool:
    """Throttled log-in attempts (429) are logged once per key by accounts.throttle, not
    once per attempt: an attacker must not fill the log."""
    return getattr(record, "status_code", None) != 429


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "not_throttled": {"()": "django.utils.log.CallbackFilter", "callback": _not_throttled}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["not_throttled"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Sandbox limits --------------------------------------------------------------

# Seconds of wall time between two simulation updates pushed to a browser.
SANDBOX_TICK_SECONDS = env_float("SANDBOX_TICK_SECONDS", 0.2)
# A step expected to take at most this much CPU (from its measured cost) runs on the event
# loop; a longer one, or one not measured since a change, in a thread. The hop to a thread
# and back costs about 1 ms of the process's time (bench/README.md, live sessions).
SANDBOX_INLINE_STEP_SECONDS = env_float("SANDBOX_INLINE_STEP_SECONDS", 0.005)
# For tests only: simulated time runs this many times faster than the speed a learner
# chose (the judge reads closed simulated seconds, so a faster clock judges the same run).
SANDBOX_TIME_SCALE = env_float("SANDBOX_TIME_SCALE", 1.0)
# Per-connection rate limit for messages a browser sends over the WebSocket.
SANDBOX_MAX_MESSAGES_PER_SECOND = env_int("SANDBOX_MAX_MESSAGES_PER_SECOND", 20)
# Larger incoming WebSocket messages are rejected unread.
SANDBOX_MAX_MESSAGE_BYTES = env_int("SANDBOX_MAX_MESSAGE_BYTES", 4096)
# daphne (autobahn) drops a connection whose frame or message is larger, reading only the
# frame's header: nothing that large is ever buffered. `make run` passes it to daphne as
# --websocket-max-frame-size and --websocket-max-message-size (docs/deployment.md);
# `manage.py runserver` reads the two DAPHNE_ settings.
WEBSOCKET_MAX_FRAME_BYTES = env_int("WEBSOCKET_MAX_FRAME_BYTES", 65536)
DAPHNE_WEBSOCKET_MAX_MESSAGE_SIZE = WEBSOCKET_MAX_FRAME_BYTES
DAPHNE_WEBSOCKET_MAX_FRAME_SIZE = WEBSOCKET_MAX_FRAME_BYTES

# --- Sandbox caps and budgets (architect/sandbox/caps.py, docs/deployment.md) ------

# Live simulations at once: per client address (an IPv6 /64 counts as one: a classroom
# behind one address) and per process (about what one core updates 5 times a second).
SANDBOX_MAX_SIMULATIONS_PER_ADDRESS = env_int("SANDBOX_MAX_SIMULATIONS_PER_ADDRESS", 60)
SANDBOX_MAX_SIMULATIONS = env_int("SANDBOX_MAX_SIMULATIONS", 150)
# CPU seconds per wall second the process's simulations share; each running one may use
# an equal part of it, and never less than the floor (so a lone learner runs at full speed).
SANDBOX_PROCESS_CPU_SHARE = env_float("SANDBOX_PROCESS_CPU_SHARE", 0.6)
SANDBOX_MIN_CPU_SHARE = env_float("SANDBOX_MIN_CPU_SHARE", 0.002)
# A hidden page's simulation is paused; its socket is closed after this long hidden, and
# any socket after this long without a message from its page.
SANDBOX_HIDDEN_CLOSE_SECONDS = env_float("SANDBOX_HIDDEN_CLOSE_SECONDS", 600.0)
SANDBOX_IDLE_CLOSE_SECONDS = env_float("SANDBOX_IDLE_CLOSE_SECONDS", 3600.0)
# How often (at most) a changed simulation is kept for its learner besides on each change.
SANDBOX_KEEP_SECONDS = env_float("SANDBOX_KEEP_SECONDS", 5.0)

# --- Simulation workers (architect/sandbox/workers.py, docs/deployment.md) --------

# Worker processes each web process starts to step its live sandboxes and stages in (a
# heavy simulation then slows only its own worker); 0 steps them in the web process.
SIM_WORKERS = env_int("SIM_WORKERS", 0)
# CPU seconds per wall second one worker's running simulations share (equal parts).
SIM_WORKER_CPU_SHARE = env_float("SIM_WORKER_CPU_SHARE", 0.9)
# A debug trace (architect/sandbox/trace.py): where each sandbox message's and tick's time
# went, one JSON line each appended to this file; empty: off (bench/live_sessions.py --trace).
SANDBOX_TRACE_FILE = os.environ.get("SANDBOX_TRACE_FILE", "")

# --- Classrooms (classrooms/, docs/deployment.md#classrooms) ----------------------

# Limits: students in one room, rooms an instructor has open at once, and messages a
# second per connection (students and instructors alike; a burst of half as many more).
CLASSROOM_MAX_PARTICIPANTS = env_int("CLASSROOM_MAX_PARTICIPANTS", 100)
CLASSROOM_MAX_ROOMS_PER_INSTRUCTOR = env_int("CLASSROOM_MAX_ROOMS_PER_INSTRUCTOR", 5)
CLASSROOM_MAX_MESSAGES_PER_SECOND = env_int("CLASSROOM_MAX_MESSAGES_PER_SECOND", 10)
# Joining: an address may send this many wrong class codes per window, then waits for the
# window's end (only wrong codes count: a whole class shares its school's address).
CLASSROOM_JOIN_FAILURES = env_int("CLASSROOM_JOIN_FAILURES", 20)
CLASSROOM_JOIN_WINDOW_SECONDS = env_int("CLASSROOM_JOIN_WINDOW_SECONDS", 60)
# The room runner: a tick every CLASSROOM_TICK_SECONDS, at most CLASSROOM_STEP_BUDGET_SECONDS
# of simulation work per tick (a heavier room falls behind real time, and says so).
CLASSROOM_TICK_SECONDS = env_float("CLASSROOM_TICK_SECONDS", 0.2)
CLASSROOM_STEP_BUDGET_SECONDS = env_float("CLASSROOM_STEP_BUDGET_SECONDS", 0.08)
# The room's state is saved this often (and after every instructor's command); an owner's
# lease lasts this long unless renewed (renewed every fifth of it); every process asks this
# often whether a room it has screens of lost its owner, and takes it over (a dead owner's
# room resumes within lease + takeover: 3.5 s); each process renews its connections'
# presence this often, and a connection not renewed for three times that is gone.
CLASSROOM_CHECKPOINT_SECONDS = env_float("CLASSROOM_CHECKPOINT_SECONDS", 5.0)
CLASSROOM_LEASE_SECONDS = env_float("CLASSROOM_LEASE_SECONDS", 3.0)
CLASSROOM_TAKEOVER_SECONDS = env_float("CLASSROOM_TAKEOVER_SECONDS", 0.5)
CLASSROOM_PRESENCE_SECONDS = env_float("CLASSROOM_PRESENCE_SECONDS", 1.5)
# A room nobody has looked at for this long stops being simulated (it resumes from its
# checkpoint when someone comes back).
CLASSROOM_IDLE_SECONDS = env_float("CLASSROOM_IDLE_SECONDS", 120.0)
