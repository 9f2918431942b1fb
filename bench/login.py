"""Benchmark wrong passwords: CPU per log-in attempt with the throttle, and without it.

Run from the repository root:  python bench/login.py [--attempts 200]
One address tries one account's password ``--attempts`` times (no waiting, as a script
would): each attempt the throttle lets through costs a password hash (Django's PBKDF2,
~0.25 s of CPU); each one it holds back is answered before any hash.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def attempts(count: int) -> tuple[list[float], list[float]]:
    """CPU seconds of each attempt answered with the form (200) and held back (429)."""
    cache.clear()
    client = Client()
    allowed, refused = [], []
    for _ in range(count):
        start = time.process_time()
        status = client.post(
            "/accounts/login/", {"username": "ada", "password": "wrong"}
        ).status_code
        (refused if status == 429 else allowed).append(time.process_time() - start)
    return allowed, refused


def show(name: str, allowed: list[float], refused: list[float]) -> None:
    total = sum(allowed) + sum(refused)
    print(f"{name}: {len(allowed)} checked, {len(refused)} held back; total CPU {total:.2f} s")
    if allowed:
        print(f"  checked:   {sum(allowed) / len(allowed) * 1000:8.1f} ms CPU each")
    if refused:
        print(f"  held back: {sum(refused) / len(refused) * 1000:8.2f} ms CPU each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    connection.creation.create_test_db(verbosity=0)
    User.objects.create_user("ada", password="a-long-pass-phrase-9")
    show("with the throttle", *attempts(args.attempts))
    settings.ACCOUNT_THROTTLE = {**settings.ACCOUNT_THROTTLE, "login_account": 10**9}
    settings.ACCOUNT_THROTTLE["login_address"] = 10**9
    show("without (first 20 only)", *attempts(20))


if __name__ == "__main__":
    main()
