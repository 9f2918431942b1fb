"""The goal tracker and the plan format (with architect.yamlmarks) stay free of Django: they
import only stdlib, yaml and architect.sim."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LESSONS = Path(__file__).parents[2] / "lessons"
ALLOWED = {
    "goals.py": set(),
    "content.py": {"lessons"},
    "format.py": {"lessons"},
    "stage_format.py": {"lessons"},
    "../architect/yamlmarks.py": {"yaml"},
    "runs.py": set(),
    "vocabulary.py": set(),
    "checker.py": {"lessons"},
}


def _modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_pure_modules_import_no_web_framework():
    bad = []
    for name, extra in ALLOWED.items():
        for module in _modules(LESSONS / name):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in extra or module.startswith("architect.sim"):
                continue
            if module == "architect.yamlmarks":
                continue
            if (
                top == "lessons"
                and module.split(".")[1]
                not in {
                    "content",
                    "goals",
                    "runs",
                    "vocabulary",
                    "stage_format",
                    "format",
                }
            ) or top != "lessons":
                bad.append(f"{name} imports {module}")
    assert bad == []


def test_goals_imports_only_architect_sim():
    outside = {
        m for m in _modules(LESSONS / "goals.py") if m.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside == {"architect.sim.snapshot"}
