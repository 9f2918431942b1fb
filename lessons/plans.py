"""Where plan files live, and how they are named in messages."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

PLANS_DIR = Path(__file__).resolve().parent / "plans"


def plan_files() -> list[Path]:
    """Every shipped plan: ``lessons/plans/*.yaml``, sorted by name."""
    return sorted(PLANS_DIR.glob("*.yaml")) if PLANS_DIR.is_dir() else []


def display_path(path: Path) -> str:
    """``lessons/plans/x.yaml`` for files in the project, the path as given otherwise."""
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)
