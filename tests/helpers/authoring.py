"""Shared by the authoring tests: the starter plan's text and fast password hashing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from authoring import services
from authoring.views import STARTER

from helpers.rooms import make_user

STARTER_TEXT = STARTER.read_text("utf-8")


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Users are made in most tests: MD5 hashing keeps that cheap. The cache is emptied
    too: the editor's rate counts are kept there by user id, which tests reuse."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def stage_form(page: Any) -> dict[str, object]:
    """The form's fields as the page filled them (from the YAML)."""
    fields = page.context["fields"]
    data: dict[str, object] = {
        "revision": page.context["revision"],
        "condition_rows": len(fields["conditions"]),
        "answer": fields["answer"],
        "controls": fields["controls"],
        "events": fields["events"],
        "duration": fields["duration"],
    }
    for lang in fields["languages"]:
        for name in ("title", "body", "question", "choices", "why", "hints", "debrief", "goal"):
            data[f"{name}_{lang['code']}"] = lang[name]
    for n, row in enumerate(fields["conditions"]):
        data |= {
            f"metric_{n}": row["metric"],
            f"op_{n}": row["op"],
            f"value_{n}": row["value"],
            f"node_{n}": row["node"],
        }
    return data


def editing_stage_zero() -> tuple[Any, Any, Client, str]:
    """An instructor signed in over a new plan made from the starter text: the owner, the
    plan, their test client and the URL of its first stage's form."""
    owner = make_user("olivia", instructor=True)
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    client = Client()
    client.force_login(owner)
    return owner, plan, client, reverse("authoring:stage", args=[plan.slug, 0])
