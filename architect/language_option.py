"""``--language CODE`` for management commands that print problems to people."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandParser


def add_language_argument(parser: CommandParser) -> None:
    """``--language ko``: print problems in that language (default: ``settings.LANGUAGE_CODE``)."""
    codes = [code for code, _name in settings.LANGUAGES]
    parser.add_argument(
        "--language",
        choices=codes,
        default=settings.LANGUAGE_CODE,
        help=(
            f"the language of the problems printed: {', '.join(codes)}"
            f" (default {settings.LANGUAGE_CODE})"
        ),
    )
