"""The WebSocket handshake's ``Origin`` must be this site: same scheme, host and port.

Channels' ``AllowedHostsOriginValidator`` compares host names only, so a page on
``http://127.0.0.1:9999`` could open a socket to the app on port 8000. Here each
connection's own origin is worked out from its request (as Django does for CSRF) and
handed to Channels' ``OriginValidator``, which compares scheme, host and port:

* scheme: ``https`` when the socket is ``wss``, or when a proxy says so in the header
  that ``SECURE_PROXY_SSL_HEADER`` trusts (``X-Forwarded-Proto``); ``http`` otherwise;
* host and port: the ``Host`` header, which must be one of ``ALLOWED_HOSTS``;
* plus every origin in ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.com`` included).

A handshake without an ``Origin`` header is refused, as before.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.http.request import split_domain_port, validate_host

Scope = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin1")
    return None


def is_secure(scope: Scope) -> bool:
    """Whether the browser reached us over TLS (directly, or through a trusted proxy)."""
    if scope.get("scheme") in ("wss", "https"):
        return True
    trusted = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not trusted:
        return False
    meta_name, secure_value = trusted
    name = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin1")
    value = _header(scope, name)
    return value is not None and value.split(",", 1)[0].strip() == secure_value


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:  # as django.http.HttpRequest.get_host does
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def own_origin(scope: Scope) -> str | None:
    """``scheme://host[:port]`` of the page that may open this socket, or None when the
    ``Host`` header is missing or not an allowed host."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    return f"{'https' if is_secure(scope) else 'http'}://{host}"


def trusted_origins() -> list[str]:
    """``CSRF_TRUSTED_ORIGINS`` in Channels' pattern syntax (``*.`` becomes ``.``)."""
    return [origin.replace("://*.", "://.", 1) for origin in settings.CSRF_TRUSTED_ORIGINS]


class SameOriginValidator:
    """ASGI middleware: Channels' ``OriginValidator`` with this connection's own origin."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        own = own_origin(scope)
        allowed = ([own] if own else []) + trusted_origins()
        return await OriginValidator(self.application, allowed)(scope, receive, send)
