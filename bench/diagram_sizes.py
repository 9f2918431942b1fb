"""The diagram of every shipped stage's and experiment's solution: its size in units and
whether it shrinks to fit the one-screen frame (``Diagram.svg_fit``), in both languages.

Run from the repository root:

    python bench/diagram_sizes.py

Each unit's run topology with its solution applied, one simulated second in. The fit is
what tests/sandbox/test_diagram.py asserts for every unit; the figures are for the record
(bench/README.md, the closing notes): a layout change shows here what it did to each stage.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from architect.sandbox.diagram import layout  # noqa: E402
from architect.sim.simulation import Simulation  # noqa: E402
from lessons.checker import with_experiments  # noqa: E402
from lessons.format import read_plan_file  # noqa: E402


def main() -> None:
    print(f"{'unit':46} {'en w×h':>11} {'ko w×h':>11}  fit")
    for path in sorted((ROOT / "lessons" / "plans").glob("*.yaml")):
        for stage in read_plan_file(path, source=path.name)[0].stages:
            for name, unit in with_experiments(stage):
                sim = Simulation(unit.run_topology(), seed=1)
                for command in unit.solution_commands():
                    sim.apply(command)
                solved = sim.advance(1)
                sizes, fits = [], set()
                for language in ("en", "ko"):
                    with translation.override(language):
                        diagram = layout(solved)
                    sizes.append(f"{diagram.width:.0f}×{diagram.height:.0f}")
                    fits.add(diagram.svg_fit)
                print(f"{name:46} {sizes[0]:>11} {sizes[1]:>11}  {'/'.join(sorted(fits))}")


if __name__ == "__main__":
    main()
