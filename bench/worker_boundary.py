"""What it costs to step a live simulation in a worker process instead of the web process.

Per 0.2 s tick, for the default sandbox (a single server at its default traffic) and a
heavy one (20 xl web servers at 19,999 req/s, 5×): the step itself, and what crossing
the process boundary adds to the web process, two ways: the ``Snapshot`` pickled as it
is (what ``architect.sandbox.workers`` sends over its socket pair), and the
``snapshot_to_data`` / ``snapshot_from_data`` pair a channel layer (msgpack or JSON)
would need; then one whole round trip through a real worker. Run from the repository
root:

    python bench/worker_boundary.py [--quick]

Figures, not pass/fail: see bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "architect.settings")

from live_sessions import HEAVY_ACTIONS

from architect.sandbox.live import LiveSession
from architect.sim.actions import SANDBOX_ACTIONS, read
from architect.sim.model.presets import single_server
from architect.sim.snapshot_data import snapshot_from_data, snapshot_to_data

TICK = 0.2


def heavy() -> LiveSession:
    session = LiveSession(single_server)
    for fields in HEAVY_ACTIONS:
        problems: list[object] = []
        command = read(fields, "", problems, accepts=SANDBOX_ACTIONS, form=True)  # type: ignore[arg-type]
        assert command is not None, problems
        session.apply(command)  # type: ignore[arg-type]
    return session


def ms(action: Callable[[], object], rounds: int) -> float:
    """Median milliseconds of ``action``."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def figures(name: str, session: LiveSession, rounds: int) -> None:
    for _ in range(10):
        session.step(TICK)  # warm up: queues and history filled
    step = ms(lambda: session.step(TICK), rounds)
    snapshot = session.snapshot()
    data = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
    dumps = ms(lambda: pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL), rounds)
    loads = ms(lambda: pickle.loads(data), rounds)
    plain = snapshot_to_data(snapshot)
    to_data = ms(lambda: snapshot_to_data(snapshot), rounds)
    from_data = ms(lambda: snapshot_from_data(plain), rounds)
    print(
        f"{name}: step {step:.3f} ms; pickled Snapshot {len(data):,} B,"
        f" {dumps:.3f} ms in the worker, {loads:.3f} ms in the web process;"
        f" snapshot_to_data {to_data:.3f} ms, snapshot_from_data {from_data:.3f} ms"
    )


def round_trip(rounds: int) -> None:
    from architect.sandbox.workers import Pool, RemoteSession

    pool = Pool(1, cpu_share=0.9, min_share=0.002)
    try:
        remote = RemoteSession(pool, single_server())
        for _ in range(10):
            remote.step(TICK)
        whole = ms(lambda: remote.step(TICK), rounds)
        print(f"default, through a worker: {whole:.3f} ms a step, round trip included")
    finally:
        pool.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 rounds instead of 500")
    args = parser.parse_args()
    rounds = 50 if args.quick else 500
    figures("default (single server)", LiveSession(single_server), rounds)
    figures("heavy (20 xl, 19,999 req/s, 5x)", heavy(), max(10, rounds // 10))
    round_trip(rounds)


if __name__ == "__main__":
    main()
