"""A WebSocket opens only from this site's own origin: scheme, host and port, or a
configured trusted origin."""

from __future__ import annotations

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from architect.asgi import application
from architect.ws_origin import SameOriginValidator

# Channels closes stale database connections around each message, so even this tiny
# consumer touches the database layer.
pytestmark = pytest.mark.django_db

HOSTS = ["127.0.0.1", "localhost", "[::1]", "example.com", "internal"]
PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


class Accept(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()


async def opens(
    host: str | None,
    origin: str | None,
    *,
    scheme: str = "ws",
    extra: tuple[tuple[str, str], ...] = (),
) -> bool:
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers += [(name.encode(), value.encode()) for name, value in extra]
    ws = WebsocketCommunicator(SameOriginValidator(Accept.as_asgi()), "/ws/", headers=headers)
    ws.scope["scheme"] = scheme  # as a server would set it; read when the app starts
    connected, _ = await ws.connect()
    await ws.disconnect()
    return bool(connected)


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("example.com", "http://example.com"),
        ("example.com:80", "http://example.com"),  # the default port, written or not
    ],
)
@override_settings(ALLOWED_HOSTS=HOSTS)
async def test_the_pages_own_origin_opens_a_socket(host, origin):
    assert await opens(host, origin)


@pytest.mark.parametrize(
    ("host", "origin", "why"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:9999", "another port"),
        ("127.0.0.1:8000", "https://127.0.0.1:8000", "another scheme"),
        ("127.0.0.1:8000", "http://evil.example:8000", "another host"),
        ("127.0.0.1:8000", "http://127.0.0.1.evil.example:8000", "a look-alike host"),
        ("127.0.0.1:8000", None, "no Origin header"),
        ("127.0.0.1:8000", "null", "an opaque origin"),
        ("evil.example:8000", "http://evil.example:8000", "a host not allowed (DNS rebinding)"),
        (None, "http://127.0.0.1:8000", "no Host header"),
    ],
)
@override_settings(ALLOWED_HOSTS=HOSTS)
async def test_any_other_origin_is_refused(host, origin, why):
    assert not await opens(host, origin), why


@override_settings(ALLOWED_HOSTS=HOSTS)
async def test_a_secure_socket_expects_an_https_page():
    assert await opens("example.com", "https://example.com", scheme="wss")
    assert not await opens("example.com", "http://example.com", scheme="wss")


@override_settings(ALLOWED_HOSTS=HOSTS, SECURE_PROXY_SSL_HEADER=PROXY)
async def test_behind_a_trusted_proxy_its_forwarded_scheme_counts():
    https = (("x-forwarded-proto", "https"),)
    assert await opens("example.com", "https://example.com", extra=https)
    assert not await opens("example.com", "http://example.com", extra=https)
    assert await opens("example.com", "http://example.com", extra=(("x-forwarded-proto", "http"),))


@override_settings(ALLOWED_HOSTS=HOSTS)
async def test_a_forwarded_scheme_is_ignored_unless_the_proxy_is_trusted():
    https = (("x-forwarded-proto", "https"),)
    assert not await opens("example.com", "https://example.com", extra=https)
    assert await opens("example.com", "http://example.com", extra=https)


@override_settings(
    ALLOWED_HOSTS=HOSTS,
    CSRF_TRUSTED_ORIGINS=["https://architect.example.org", "https://*.example.net"],
)
async def test_trusted_origins_open_a_socket_too():
    assert await opens("internal:8001", "https://architect.example.org")
    assert await opens("internal:8001", "https://eu.example.net")
    assert not await opens("internal:8001", "http://architect.example.org")  # not https
    assert not await opens("internal:8001", "https://architect.example.org:8443")
    assert not await opens("internal:8001", "https://example.org")


async def test_the_app_refuses_the_issues_other_port():
    """The issue's probe: ``http://127.0.0.1:9999`` was accepted by the sandbox."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:9999")]
    ws = WebsocketCommunicator(application, "/ws/sandbox/", headers=headers)
    connected, _ = await ws.connect()
    assert not connected
