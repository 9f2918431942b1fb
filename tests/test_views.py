"""architect/views.py and the base layout: language selection and offline static files."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db  # the home page lists the loaded plans

HTMX_URL = "/static/django_htmx/htmx-2.min.js"
WS_EXTENSION_URL = "/static/django_htmx/ext/hx-ws-2.min.js"


def test_home_renders_in_english_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "home.html"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Open the sandbox" in html


def test_home_links_every_stage_by_its_own_title():
    from lessons.models import Stage

    stages = list(Stage.objects.select_related("plan").order_by("plan__slug", "order"))
    assert stages, "the shipped plans are loaded on migrate"
    for lang, accept in (("en", "en"), ("ko", "ko-KR")):
        html = Client().get("/", headers={"accept-language": accept}).content.decode()
        links = re.findall(r'<li><a href="(/lessons/[^"]+/)">([^<]+)</a></li>', html)
        expected = [(s.get_absolute_url(), s.text("title", lang)) for s in stages]
        assert links == expected


def test_home_renders_in_korean_for_a_korean_browser(client):
    response = client.get("/", headers={"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"})
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "샌드박스 열기" in html
    assert "Open the sandbox" not in html


def test_set_language_switches_the_page_language_with_csrf_enforced():
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    token = client.cookies["csrftoken"].value

    forged = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert forged.status_code == 403

    response = client.post(
        "/i18n/setlang/", {"language": "ko", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="ko">' in html
    assert "샌드박스 열기" in html


def test_language_switcher_works_without_javascript(client):
    html = client.get("/?x=1").content.decode()
    form = re.search(r'<form class="language-form".*?</form>', html, re.S)
    assert form is not None
    assert 'action="/i18n/setlang/"' in form[0]
    assert 'method="post"' in form[0]
    assert 'name="csrfmiddlewaretoken"' in form[0]
    assert '<input type="hidden" name="next" value="/?x=1">' in form[0]
    # One press changes the language: a submit button per language, no select.
    assert "<select" not in form[0]
    buttons = re.findall(r'<button type="submit" name="language" value="(\w+)" lang="\1"', form[0])
    assert buttons == ["en", "ko"]
    assert 'id="language-en" aria-pressed="true"' in form[0]
    assert 'id="language-ko" aria-pressed="false"' in form[0]


def test_the_favicon_is_served_by_the_app(client):
    html = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert href is not None and href[1].startswith("/static/")
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301
    assert redirect["Location"] == href[1]


def test_htmx_and_ws_extension_come_from_own_static_files(client):
    html = client.get("/").content.decode()
    script_sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert HTMX_URL in script_sources
    assert WS_EXTENSION_URL in script_sources
    assert all(src.startswith("/static/") for src in script_sources)


@pytest.mark.django_db  # closing a streamed response closes stale connections
def test_static_files_are_served(client):
    for url in (HTMX_URL, WS_EXTENSION_URL, "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


@pytest.mark.django_db  # closing a streamed response closes stale connections
def test_served_htmx_is_version_2(client):
    response = client.get(HTMX_URL)
    body = b"".join(response.streaming_content)
    response.close()
    assert b'version:"2.0.10"' in body
