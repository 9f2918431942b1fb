"""Shared pytest configuration. pytest-django reads its settings from pyproject.toml."""

from __future__ import annotations
