"""Benchmark the live view's HTML: what one tick costs to render, and the whole page.

Run from the repository root:  python bench/render.py [--quick] [--cpu]
(``--cpu``: CPU time of this process instead of wall time, for a machine shared with
other work, where wall-clock figures move with the load.)
The simulation step is measured by bench/run.py; this measures only
``Renderer.render`` (Django templates, the SVG diagram, the charts) on the
snapshots a live sandbox really sends, in English and Korean.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402
from django.utils import translation  # noqa: E402

from architect.sandbox.fragments import Renderer  # noqa: E402
from architect.sandbox.live import LiveSession  # noqa: E402
from architect.sim.loader import load_topology  # noqa: E402
from architect.sim.model.presets import single_server  # noqa: E402

TICK_S = 0.2  # the live view's step, as in settings.SANDBOX_TICK_SECONDS
WARM_UP_TICKS = 25  # five simulated seconds, so the charts and the event log have content
CLOCK = time.perf_counter  # or time.process_time (--cpu)


def _everything():
    return load_topology(yaml.safe_load((ROOT / "docs/examples/everything.yaml").read_text()))


ARCHITECTURES = {
    "single server (3 nodes)": single_server,
    "docs/examples/everything.yaml": _everything,
}


def measure(factory, language: str, ticks: int) -> dict[str, float]:
    """Milliseconds per tick render and per whole-page render, after a warm-up."""
    session = LiveSession(factory)
    renderer = Renderer()
    tick_ms: list[float] = []
    page_ms: list[float] = []
    with translation.override(language):
        renderer.render(session.snapshot(), session.status, full=True)
        for index in range(WARM_UP_TICKS + ticks):
            snapshot = session.step(TICK_S)
            started = CLOCK()
            renderer.render(snapshot, session.status)
            elapsed = (CLOCK() - started) * 1000
            if index >= WARM_UP_TICKS:
                tick_ms.append(elapsed)
        for _ in range(max(10, ticks // 10)):
            started = CLOCK()
            Renderer().render(session.snapshot(), session.status, full=True)
            page_ms.append((CLOCK() - started) * 1000)
    return {
        "tick_mean": statistics.fmean(tick_ms),
        "tick_p99": statistics.quantiles(tick_ms, n=100)[98],
        "page_mean": statistics.fmean(page_ms),
        "nodes": len(session.snapshot().nodes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer ticks (for a smoke run)")
    parser.add_argument("--cpu", action="store_true", help="CPU time, not wall time")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    ticks = 50 if args.quick else 300
    print(
        f"Fragment render per 0.2 s tick ({ticks} ticks after a 5 s warm-up), and the whole page:"
    )
    print(
        f" {'architecture':32} {'lang':>4} {'nodes':>5}"
        f" {'tick mean':>10} {'tick p99':>9} {'page':>8}"
    )
    for name, factory in ARCHITECTURES.items():
        for language in ("en", "ko"):
            r = measure(factory, language, ticks)
            print(
                f" {name:32} {language:>4} {r['nodes']:>5} {r['tick_mean']:>7.2f} ms"
                f" {r['tick_p99']:>6.2f} ms {r['page_mean']:>5.2f} ms"
            )


if __name__ == "__main__":
    main()
