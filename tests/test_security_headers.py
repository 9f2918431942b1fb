"""Every response carries a strict Content-Security-Policy and a Permissions-Policy, and
no page needs what the policy forbids: inline scripts, inline styles, event attributes."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings

from architect.security_headers import permissions_header, policy_header
from lessons.services import plan_load_file

FIXTURE_PLAN = Path(__file__).parent / "lessons" / "fixtures" / "tiny.yaml"


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


class InlineFinder(HTMLParser):
    """Notes each inline script, ``<style>`` element, ``style`` or ``on…`` attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [
            f"{tag}[{name}]" for name in names if name == "style" or name.startswith("on")
        ]


def test_policy_headers_are_written_as_browsers_read_them():
    assert policy_header({"script-src": ["'self'"], "upgrade-insecure-requests": []}) == (
        "script-src 'self'; upgrade-insecure-requests"
    )
    assert permissions_header({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


@pytest.mark.django_db  # the home page lists the loaded plans
def test_the_policy_allows_only_our_own_scripts_styles_and_sockets(client):
    response = client.get("/")
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    every_source = {source for sources in policy.values() for source in sources}
    assert not every_source & {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"}


@pytest.mark.django_db  # the home page lists the loaded plans
def test_powerful_features_are_off(client):
    header = client.get("/").headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for name in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[name] == "()"
    assert features["fullscreen"] == "(self)"


def test_error_pages_carry_the_policy_in_production(client):
    with override_settings(DEBUG=False):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sandbox/",
        "/lessons/",
        "/lessons/tiny/",
        "/lessons/tiny/bigger-server/",
        "/lessons/tiny/evolution/",
        "/accounts/login/",
        "/accounts/signup/",
    ],
)
def test_no_page_needs_inline_script_or_style(client, path):
    plan_load_file(path=FIXTURE_PLAN)
    response = client.get(path)
    assert response.status_code == 200
    finder = InlineFinder()
    finder.feed(response.content.decode())
    assert finder.found == []
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db  # the home page lists the loaded plans
def test_htmx_is_told_to_work_under_the_policy(client):
    html = client.get("/").content.decode()
    assert '<meta name="htmx-config"' in html
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
