"""The editor's pages and JSON endpoints, as a browser without and with JavaScript uses them."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from authoring import services
from authoring.models import PlanVersion

from helpers.authoring import STARTER_TEXT, fast_passwords  # noqa: F401 (an autouse fixture)
from helpers.rooms import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user("olivia", instructor=True)


@pytest.fixture
def client_for(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


def _csrf(client, url):
    page = client.get(url)
    return page, page.cookies["csrftoken"].value


def test_create_from_the_template_then_edit_without_javascript(client_for, owner):
    page, token = _csrf(client_for, reverse("authoring:index"))
    assert page.status_code == 200
    created = client_for.post(
        reverse("authoring:create"), {"source": "template", "csrfmiddlewaretoken": token}
    )
    plan = owner.authored_plans.get()
    assert created.status_code == 302 and created.url == plan.get_absolute_url()
    editor = client_for.get(plan.get_absolute_url())
    csp = editor.headers["Content-Security-Policy"]
    nonce = editor.context["csp_nonce"]
    assert f"'nonce-{nonce}'" in csp and f'nonce="{nonce}"' in editor.content.decode()
    broken = STARTER_TEXT.replace("answer: 1", "answer: 7").replace("\n", "\r\n")
    saved = client_for.post(
        plan.get_absolute_url(), {"text": broken, "revision": 1, "csrfmiddlewaretoken": token}
    )
    assert saved.status_code == 302
    again = client_for.get(plan.get_absolute_url())
    line = STARTER_TEXT.splitlines().index("      answer: 1") + 1
    assert [p["line"] for p in again.context["problems"]] == [line]
    assert f"line {line}</a>: stages[0].predict.answer:" in again.content.decode()
    stale = client_for.post(
        plan.get_absolute_url(), {"text": "mine", "revision": 1, "csrfmiddlewaretoken": token}
    )
    assert stale.status_code == 409 and "Someone else saved this draft" in stale.content.decode()
    assert ">mine</textarea>" in stale.content.decode()  # the editor's text is not lost


def test_autosave_and_lint_answer_in_the_editors_language(client_for, owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    _page, token = _csrf(client_for, plan.get_absolute_url())
    headers = {"HTTP_X_CSRFTOKEN": token, "HTTP_ACCEPT_LANGUAGE": "ko"}
    url = reverse("authoring:autosave", args=[plan.slug])
    broken = STARTER_TEXT.replace("slug: my-plan", "slug: My Plan")
    body = json.dumps({"text": broken, "revision": 1})
    answer = client_for.post(url, body, content_type="application/json", **headers).json()
    assert answer["revision"] == 2
    assert answer["problems"][0]["line"] == 3 and answer["problems"][0]["where"] == "slug"
    assert answer["problems"][0]["message"].startswith("슬러그여야 합니다")
    conflict = client_for.post(url, body, content_type="application/json", **headers)
    assert conflict.status_code == 409 and conflict.json()["revision"] == 2
    lint = client_for.post(
        reverse("authoring:lint", args=[plan.slug]),
        json.dumps({"text": "format: 1\nformat: 2\n"}),
        content_type="application/json",
        **headers,
    ).json()
    assert lint["problems"][0]["line"] == 2
    refused = client_for.post(url, "[]", content_type="application/json", **headers)
    assert refused.status_code == 400


def test_no_form_posts_without_a_csrf_token(client_for, owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    for name in ("edit", "autosave", "lint", "check", "publish", "share", "remix"):
        url = reverse(f"authoring:{name}", args=[plan.slug])
        assert client_for.post(url, {"text": "x"}).status_code == 403, name


def test_publish_shows_the_diff_then_export_and_import_give_the_same_text(client_for, owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    page, token = _csrf(client_for, reverse("authoring:publish", args=[plan.slug]))
    assert "0 learners are on an earlier version" in page.content.decode()
    assert page.context["diff"][0] == ("del", "--- -")
    done = client_for.post(
        reverse("authoring:publish", args=[plan.slug]), {"csrfmiddlewaretoken": token}
    )
    assert done.status_code == 302
    version = PlanVersion.objects.get()
    exported = client_for.get(reverse("authoring:export", args=[plan.slug, version.number]))
    assert exported["Content-Type"].startswith("application/yaml")
    assert exported.content == STARTER_TEXT.encode()
    upload = exported.content
    from django.core.files.uploadedfile import SimpleUploadedFile

    client_for.post(
        reverse("authoring:create"),
        {
            "source": "import",
            "csrfmiddlewaretoken": token,
            "file": SimpleUploadedFile("plan.yaml", upload, "application/yaml"),
        },
    )
    copy = owner.authored_plans.exclude(pk=plan.pk).get()
    again = client_for.get(reverse("authoring:export", args=[copy.slug, 0]))
    assert again.content == upload


def test_preview_opens_the_learners_stage_page_for_the_draft(client_for, owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    sent = client_for.get(reverse("authoring:preview_stage", args=[plan.slug, "bigger-server"]))
    assert sent.status_code == 302
    stage = client_for.get(sent.url)
    assert stage.status_code == 200 and "A bigger server" in stage.content.decode()
    assert "/ws/lessons/" in stage.content.decode()


def test_hostile_input_is_refused_or_made_harmless(client_for, owner):
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    _page, token = _csrf(client_for, plan.get_absolute_url())
    url = reverse("authoring:autosave", args=[plan.slug])
    huge = json.dumps({"text": "#" * (1024 * 1024 + 1), "revision": 1})
    too_big = client_for.post(url, huge, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert too_big.status_code == 400 and "1 MiB" in too_big.json()["error"]
    code = STARTER_TEXT.replace("author: Anonymous", "author: !!python/object/apply:os.system [id]")
    answer = client_for.post(
        url,
        json.dumps({"text": code, "revision": 1}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    ).json()
    assert answer["revision"] == 2
    assert (
        "values of type tag:yaml.org,2002:python/object/apply:os.system are not allowed"
        in (answer["problems"][0]["message"])
    )
    script = STARTER_TEXT.replace('"One **small** server', '"<script>alert(1)</script> One')
    services.draft_save(plan=plan, text=script, revision=2, user=owner)
    preview = client_for.get(reverse("authoring:preview", args=[plan.slug]), follow=True)
    assert "<script>alert" not in preview.content.decode() and "One" in preview.content.decode()
    not_text = client_for.post(
        reverse("authoring:create"), {"source": "import", "csrfmiddlewaretoken": token, "text": ""}
    )
    assert not_text.status_code == 400


def test_saves_and_checks_are_limited_per_user_and_minute(client_for, owner, settings, monkeypatch):
    from authoring import rates

    settings.AUTHORING_RATES = {"edit": 2, "check": 1}
    minute = [600.0]
    monkeypatch.setattr(rates, "now", lambda: minute[0])
    plan = services.plan_create(owner=owner, text=STARTER_TEXT)
    _page, token = _csrf(client_for, plan.get_absolute_url())
    lint = reverse("authoring:lint", args=[plan.slug])
    body = json.dumps({"text": STARTER_TEXT})
    codes = [
        client_for.post(
            lint, body, content_type="application/json", HTTP_X_CSRFTOKEN=token
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    check = reverse("authoring:check", args=[plan.slug])
    codes = [client_for.post(check, {"csrfmiddlewaretoken": token}).status_code for _ in range(2)]
    assert codes == [302, 429]
    minute[0] += 60
    assert (
        client_for.post(
            lint, body, content_type="application/json", HTTP_X_CSRFTOKEN=token
        ).status_code
        == 200
    )


def test_every_authoring_page_extends_the_authoring_base():
    """The site's shell is reached through authoring/base.html (its style sheet once), never
    directly: only that template extends base.html."""
    folder = settings.BASE_DIR / "templates" / "authoring"
    direct = [p.name for p in folder.glob("*.html") if '{% extends "base.html" %}' in p.read_text()]
    assert direct == ["base.html"]
    editor = (folder / "edit.html").read_text() + (folder / "stage_form.html").read_text()
    assert "css/authoring.css" not in editor
