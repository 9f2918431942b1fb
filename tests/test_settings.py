"""architect/settings.py reads everything from the environment.

Each case imports the settings module in a fresh interpreter, so the environment
(and the module-level decisions made from it) are exactly what the test sets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-production-like-secret-key-for-tests-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "example.com",
}


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_")
        and key not in {"DATABASE_URL", "REDIS_URL", "PYTHONWARNINGS"}
    }
    return {**env, **overrides}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_setting(name: str, **env: str) -> Any:
    code = f"import json; from architect import settings; print(json.dumps(settings.{name}))"
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_channel_layer_is_in_memory_without_redis_url():
    layers = load_setting("CHANNEL_LAYERS")
    assert layers["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_channel_layer_uses_redis_without_socket_timeout_when_redis_url_set():
    layers = load_setting("CHANNEL_LAYERS", REDIS_URL="redis://redis.example:6379/0")
    assert layers["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert layers["default"]["CONFIG"]["hosts"] == [
        {"address": "redis://redis.example:6379/0", "socket_timeout": None}
    ]


def test_database_defaults_to_sqlite_in_base_dir():
    database = load_setting("DATABASES")["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(BASE_DIR / "db.sqlite3")


def test_sqlite_transactions_take_the_write_lock_first():
    """A read-then-write transaction (a student joining a room) must wait for a writer in
    another thread (the room's owner saving), not fail with "database is locked"."""
    options = load_setting("DATABASES")["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    url = "postgres://architect:secret@db.example:5432/architect"
    assert "transaction_mode" not in load_setting("DATABASES", DATABASE_URL=url)["default"].get(
        "OPTIONS", {}
    )


def test_postgres_database_url_selects_postgresql_engine():
    url = "postgres://architect:secret@db.example:5432/architect"
    database = load_setting("DATABASES", DATABASE_URL=url)["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "architect"
    assert database["HOST"] == "db.example"
    assert database["PORT"] == 5432


def test_debug_defaults_on_with_plain_static_storage():
    assert load_setting("DEBUG") is True
    storage = load_setting("STORAGES")["staticfiles"]["BACKEND"]
    assert storage == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_production_uses_whitenoise_manifest_storage():
    storage = load_setting("STORAGES", **PRODUCTION_ENV)["staticfiles"]["BACKEND"]
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_debug_off_without_secret_key_is_improperly_configured():
    result = run_python("import architect.settings", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_sandbox_limits_have_defaults_and_read_the_environment():
    assert load_setting("SANDBOX_TICK_SECONDS") == 0.2
    assert load_setting("SANDBOX_MAX_MESSAGES_PER_SECOND") == 20
    assert load_setting("SANDBOX_MAX_MESSAGE_BYTES") == 4096
    assert load_setting("SANDBOX_MAX_MESSAGE_BYTES", SANDBOX_MAX_MESSAGE_BYTES="1024") == 1024


def test_check_deploy_is_clean_in_production_env():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(**PRODUCTION_ENV),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in output


def test_hsts_is_a_year_in_production_unless_set():
    assert load_setting("SECURE_HSTS_SECONDS", **PRODUCTION_ENV) == 31_536_000
    shorter = load_setting("SECURE_HSTS_SECONDS", DJANGO_SECURE_HSTS_SECONDS="60", **PRODUCTION_ENV)
    assert shorter == 60
