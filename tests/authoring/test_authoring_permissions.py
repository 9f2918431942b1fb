"""Every authoring action for anonymous, a learner, another instructor, a co-editor, the
owner and staff: on a private plan, then a listed one and one shared by link."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from authoring import services
from authoring.models import Plan

from helpers.authoring import STARTER_TEXT, fast_passwords  # noqa: F401 (an autouse fixture)
from helpers.rooms import make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "learner", "other_instructor", "co_editor", "owner", "staff")
# ok: allowed (200, or a redirect elsewhere than the log-in page); login: sent to log in;
# 403: refused; 404: the plan is not even shown to them.
PRIVATE = {
    "index":     ("login", 403, "ok", "ok", "ok", "ok"),
    "create":    ("login", 403, "ok", "ok", "ok", "ok"),
    "edit":      ("login", 404, 404, "ok", "ok", "ok"),
    "save":      ("login", 404, 404, "ok", "ok", "ok"),
    "autosave":  ("login", 404, 404, "ok", "ok", "ok"),
    "lint":      ("login", 404, 404, "ok", "ok", "ok"),
    "preview":   ("login", 404, 404, "ok", "ok", "ok"),
    "check":     ("login", 404, 404, "ok", "ok", "ok"),
    "publish":   ("login", 404, 404, "ok", "ok", "ok"),
    "compare":   ("login", 404, 404, "ok", "ok", "ok"),
    "share":     ("login", 404, 404, 403, "ok", "ok"),
    "co_editor": ("login", 404, 404, 403, "ok", "ok"),
    "overview":  (404, 404, 404, "ok", "ok", "ok"),
    "export":    (404, 404, 404, "ok", "ok", "ok"),
    "draft":     (404, 404, 404, "ok", "ok", "ok"),
    "remix":     ("login", 403, 404, "ok", "ok", "ok"),
    "sandbox":   ("login", 404, 404, "ok", "ok", "ok"),
}  # fmt: skip
# Listed: anyone sees the published versions and authors remix them; editing stays closed.
LISTED = {
    "edit":      ("login", 403, 403, "ok", "ok", "ok"),
    "overview":  ("ok", "ok", "ok", "ok", "ok", "ok"),
    "export":    ("ok", "ok", "ok", "ok", "ok", "ok"),
    "draft":     (403, 403, 403, "ok", "ok", "ok"),
    "remix":     ("login", 403, "ok", "ok", "ok", "ok"),
    "sandbox":   ("login", 403, 403, "ok", "ok", "ok"),
}  # fmt: skip


@pytest.fixture
def world() -> dict[str, Any]:
    owner = make_user("owner", instructor=True)
    users = {
        "anonymous": None,
        "learner": make_user("learner"),
        "other_instructor": make_user("other", instructor=True),
        "co_editor": make_user("co", instructor=True),
        "owner": owner,
        "staff": make_user("staff", staff=True),
    }
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    plan.co_editors.add(users["co_editor"])
    services.version_publish(plan=plan, user=owner)
    return {"users": users, "plan": plan}


def _do(client: Client, action: str, plan: Plan, token: str = "") -> Any:
    slug = plan.slug
    url = (
        reverse(f"authoring:{action}", args=[slug])
        if action
        in (
            "edit",
            "autosave",
            "lint",
            "preview",
            "check",
            "publish",
            "compare",
            "share",
            "overview",
            "remix",
        )
        else ""
    )
    query = f"?t={token}" if token else ""
    revision = plan.draft.__class__.objects.get(plan=plan).revision
    body = json.dumps({"text": STARTER_TEXT, "revision": revision})
    match action:
        case "index":
            return client.get(reverse("authoring:index"))
        case "create":
            return client.post(reverse("authoring:create"), {"source": "template"})
        case "save":
            return client.post(
                url.replace("save", "edit") or reverse("authoring:edit", args=[slug]),
                {"text": STARTER_TEXT, "revision": revision},
            )
        case "autosave" | "lint":
            return client.post(url, body, content_type="application/json")
        case "check" | "publish":
            return client.post(url)
        case "compare":
            return client.get(url + "?a=1&b=0")
        case "co_editor":
            return client.post(
                reverse("authoring:share", args=[slug]), {"action": "add", "username": "staff"}
            )
        case "export":
            return client.get(reverse("authoring:export", args=[slug, 1]) + query)
        case "draft":
            return client.get(reverse("authoring:export", args=[slug, 0]) + query)
        case "remix":
            return client.post(url, {"t": token})
        case "sandbox":  # a stage's capture sandbox (its socket asks the same: test_capture)
            return client.get(reverse("authoring:capture_frame", args=[slug, 0]))
        case _:
            return client.get(url + query)


def _outcome(response: Any) -> object:
    if response.status_code in (301, 302):
        return "login" if response.url.startswith(reverse("login")) else "ok"
    return "ok" if response.status_code == 200 else response.status_code


def _clients(world: dict[str, Any]) -> dict[str, Client]:
    clients = {}
    for role, user in world["users"].items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    return clients


def _check(world: dict[str, Any], table: Mapping[str, tuple[object, ...]], token: str = "") -> None:
    clients = _clients(world)
    found = {
        action: tuple(_outcome(_do(clients[r], action, world["plan"], token)) for r in ROLES)
        for action in table
    }
    assert found == table


def test_a_private_plan(world):
    _check(world, PRIVATE)


def test_a_listed_plan(world):
    services.plan_share(plan=world["plan"], visibility=str(Plan.Visibility.LISTED))
    _check(world, LISTED)


def test_a_plan_shared_by_link_needs_its_token(world):
    plan = world["plan"]
    services.plan_share(plan=plan, visibility=str(Plan.Visibility.LINK))
    shown = {"overview": LISTED["overview"], "export": LISTED["export"],
             "remix": LISTED["remix"]}  # fmt: skip
    _check(world, shown, token=plan.share_token)
    _check(world, {"overview": PRIVATE["overview"]}, token="0" * 32)
