"""Benchmark the live view's HTML: what one tick costs to render, and the whole page.

Run from the repository root:
python bench/render.py [--quick] [--cpu] [--full] [--ticks N] [--profile]
(``--cpu``: CPU time of this process instead of wall time, for a machine shared with
other work, where wall-clock figures move with the load; ``--full``: measured after 65
simulated seconds, once the charts' 60 s window is full, as for most of a run, instead
of from 5 s on, while it fills; ``--profile``: cProfile of a default sandbox's 500 ticks
after the warm-up, the functions by their own time.)
The simulation step is measured by bench/run.py; this measures only
``Renderer.render`` (Django templates, the SVG diagram, the charts) on the
snapshots a live sandbox really sends, in English and Korean. A tick is either
clock-only (within a simulated second: the status line's clock) or closes a second
(``fragments.figures_key`` changed: metrics, charts, diagram, node cells); "all" is
the average per update, both kinds as they come (four clock-only ticks in five at 1×).
The garbage collector is held off while a tick renders: its full collections (~0.1 s, the
whole heap, mostly the simulation's) come every few hundred ticks wherever the
allocations add up, and would be one tick's p99 by chance.
Each row runs in a process of its own: the rows replay the same snapshots (one seed), so
in one process a later row found every chart point, SVG number and diagram line the
earlier rows had drawn already, which no other session's values would (the first row of
everything.yaml, English, read ~2 ms slower than the Korean row after it).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import multiprocessing
import os
import pstats
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402
from django.utils import translation  # noqa: E402

from architect.sandbox.fragments import Renderer, figures_key  # noqa: E402
from architect.sandbox.live import LiveSession  # noqa: E402
from architect.sim.loader import load_topology  # noqa: E402
from architect.sim.model.presets import single_server  # noqa: E402

TICK_S = 0.2  # the live view's step, as in settings.SANDBOX_TICK_SECONDS
WARM_UP_TICKS = 25  # five simulated seconds, so the charts and the event log have content
PROFILE_WARM_UP_TICKS = 325  # 65 simulated seconds: the charts' 60 s window is full
CLOCK = time.perf_counter  # or time.process_time (--cpu)


class TickClock:
    """The session's wall clock, moved one tick per step as a live page's clock moves
    (the session's measured speed then reads 1×, over a window of 15 steps)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def session(self, factory) -> LiveSession:
        return LiveSession(factory, clock=self)

    def step(self, session: LiveSession):
        self.now += TICK_S
        return session.step(TICK_S)


def _everything():
    return load_topology(yaml.safe_load((ROOT / "docs/examples/everything.yaml").read_text()))


ARCHITECTURES = {
    "single server (3 nodes)": single_server,
    "docs/examples/everything.yaml": _everything,
}


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def measure(
    factory, language: str, ticks: int, cpu: bool = False, warm_up: int = WARM_UP_TICKS
) -> dict[str, float]:
    """Milliseconds per tick render (clock-only, closing a second, all) and per
    whole-page render, after ``warm_up`` ticks (``cpu``: CPU time, not wall time)."""
    global CLOCK
    CLOCK = time.process_time if cpu else time.perf_counter
    clock = TickClock()
    session = clock.session(factory)
    renderer = Renderer()
    clock_ms: list[float] = []
    second_ms: list[float] = []
    page_ms: list[float] = []
    with translation.override(language):
        renderer.render(session.snapshot(), session.status, full=True)
        figures = figures_key(session.snapshot())
        for index in range(warm_up + ticks):
            snapshot = clock.step(session)
            gc.disable()  # a collection of the whole heap (the simulation's) runs in the step
            started = CLOCK()
            renderer.render(snapshot, session.status)
            elapsed = (CLOCK() - started) * 1000
            gc.enable()
            closed, figures = figures_key(snapshot) != figures, figures_key(snapshot)
            if index >= warm_up:
                (second_ms if closed else clock_ms).append(elapsed)
        for _ in range(max(10, ticks // 10)):
            started = CLOCK()
            Renderer().render(session.snapshot(), session.status, full=True)
            page_ms.append((CLOCK() - started) * 1000)
    every = clock_ms + second_ms
    return {
        "clock_mean": statistics.fmean(clock_ms),
        "clock_p99": _p99(clock_ms),
        "second_mean": statistics.fmean(second_ms),
        "second_p99": _p99(second_ms),
        "tick_mean": statistics.fmean(every),
        "tick_p99": _p99(every),
        "page_mean": statistics.fmean(page_ms),
        "nodes": len(session.snapshot().nodes),
    }


def profile(ticks: int = 500, top: int = 30) -> None:
    """cProfile of ``ticks`` ticks of a default sandbox (after its window filled): what the
    web process does per tick besides the step, i.e. the session's status and the render."""
    clock = TickClock()
    session = clock.session(single_server)
    renderer = Renderer()
    profiler = cProfile.Profile()
    spent = 0.0
    with translation.override("en"):
        renderer.render(session.snapshot(), session.status, full=True)
        for _ in range(PROFILE_WARM_UP_TICKS):
            renderer.render(clock.step(session), session.status)
        for _ in range(ticks):
            snapshot = clock.step(session)
            started = time.process_time()
            profiler.enable()
            renderer.render(snapshot, session.status)
            profiler.disable()
            spent += time.process_time() - started
    print(f"{ticks} ticks of a default sandbox, status and render: {spent / ticks * 1000:.3f} ms")
    print("CPU each, profiled")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer ticks (for a smoke run)")
    parser.add_argument("--cpu", action="store_true", help="CPU time, not wall time")
    parser.add_argument("--full", action="store_true", help="after the charts' window filled")
    parser.add_argument("--ticks", type=int, help="ticks measured (300; 50 with --quick)")
    parser.add_argument("--profile", action="store_true", help="cProfile 500 default ticks")
    args = parser.parse_args()
    if args.profile:
        profile()
        return
    ticks = args.ticks or (50 if args.quick else 300)
    kind = "CPU" if args.cpu else "wall"
    warm = "65 s (the charts' window full)" if args.full else "5 s"
    print(
        f"Fragment render per 0.2 s tick ({ticks} ticks after a {warm} warm-up), {kind} ms,"
        " mean / p99: clock-only ticks, ticks closing a second, all (per update); the page:"
    )
    print(
        f" {'architecture':30} {'lang':>4} {'nodes':>5}"
        f" {'clock-only':>13} {'closed second':>14} {'all':>13} {'page':>6}"
    )
    # a new process per row (see the docstring), one at a time
    spawn = multiprocessing.get_context("spawn")
    for name, factory in ARCHITECTURES.items():
        for language in ("en", "ko"):
            with ProcessPoolExecutor(1, mp_context=spawn) as alone:
                warm_up = PROFILE_WARM_UP_TICKS if args.full else WARM_UP_TICKS
                r = alone.submit(measure, factory, language, ticks, args.cpu, warm_up).result()
            print(
                f" {name:30} {language:>4} {r['nodes']:>5}"
                f" {r['clock_mean']:>5.2f} / {r['clock_p99']:>5.2f}"
                f" {r['second_mean']:>6.2f} / {r['second_p99']:>5.2f}"
                f" {r['tick_mean']:>5.2f} / {r['tick_p99']:>5.2f} {r['page_mean']:>6.2f}"
            )


if __name__ == "__main__":
    main()
