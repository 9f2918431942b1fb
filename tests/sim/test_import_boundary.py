"""architect.sim stays pure: the standard library, simpy and itself, never Django or Channels."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SIM = ROOT / "architect" / "sim"
ALLOWED = set(sys.stdlib_module_names) | {"simpy"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) for every absolute import in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_sim_imports_only_stdlib_simpy_and_itself():
    """Every import in every module of architect/sim is allowed."""
    files = sorted(SIM.rglob("*.py"))
    assert len(files) >= 10
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if module.split(".")[0] not in ALLOWED and module.split(".")[:2] != ["architect", "sim"]
    ]
    assert bad == []


def test_importing_the_engine_loads_no_web_framework():
    """A fresh interpreter that imports the engine has no django, channels or daphne modules."""
    code = (
        "import architect.sim.simulation, sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'django','channels','daphne'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
