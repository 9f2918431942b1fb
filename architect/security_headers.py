"""Content-Security-Policy and Permissions-Policy on every response, in production and tests.

Django 5.2 has no CSP of its own (6.0 has ``django.middleware.csp``); this middleware
reads the same setting, ``SECURE_CSP`` (directive → list of sources), so moving to 6.0
means swapping the middleware, not the policy. Our pages need no nonce: no inline
script or style anywhere, so one fixed header serves every response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

Handler = Callable[[HttpRequest], Any]

# Django's technical 404 and 500 pages (DEBUG only) style and script themselves inline.
_TECHNICAL_PAGES = frozenset({404, 500})


def policy_header(directives: Mapping[str, Sequence[str]]) -> str:
    """``{"script-src": ["'self'"]}`` → ``script-src 'self'`` (directives joined by "; ")."""
    return "; ".join(
        " ".join([name, *sources]) if sources else name for name, sources in directives.items()
    )


def permissions_header(features: Mapping[str, Sequence[str]]) -> str:
    """``{"camera": []}`` → ``camera=()``; ``{"fullscreen": ["self"]}`` → ``fullscreen=(self)``."""
    return ", ".join(f"{name}=({' '.join(allowed)})" for name, allowed in features.items())


class SecurityHeadersMiddleware:
    """Adds ``Content-Security-Policy`` and ``Permissions-Policy`` unless already set."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.csp = policy_header(getattr(settings, "SECURE_CSP", {}))
        self.permissions = permissions_header(getattr(settings, "PERMISSIONS_POLICY", {}))
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        return self._add(self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        return self._add(await self.get_response(request))

    def _add(self, response: HttpResponseBase) -> HttpResponseBase:
        if settings.DEBUG and response.status_code in _TECHNICAL_PAGES:
            return response
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
