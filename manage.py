#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Is it installed and is the virtual environment "
            "(.venv, created by `make run` or `make test`) active?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
