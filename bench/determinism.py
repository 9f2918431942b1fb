"""Hash the snapshots of fixed runs, to show a refactoring changed no result for any seed.

Run from the repository root:

    python bench/determinism.py                 # print one hash per run
    python bench/determinism.py --save FILE     # write them as JSON
    python bench/determinism.py --check FILE    # compare with a saved set; exit 1 on a change

Each run advances 30 simulated seconds in 0.2 s steps (as the live view does) and
hashes every snapshot it returns, field by field (``repr`` of every value, so floats
count to the last bit). Runs: every example in docs/examples with seeds 1-3, a
growth script of commands and failures (refused commands included, by their error
code), aggregate mode, and two data centers. Fields named in ``NEW_FIELDS`` (added to
the snapshot after the hashes were recorded) are left out.

Not a test: the hashes come from the code itself, so they only say "nothing changed".
A change of behaviour on purpose means saving a new set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from architect.sim.actions import parse_action  # noqa: E402
from architect.sim.commands import CommandError  # noqa: E402
from architect.sim.loader import load_topology  # noqa: E402
from architect.sim.model.presets import single_server  # noqa: E402
from architect.sim.model.topology import Topology  # noqa: E402
from architect.sim.simulation import Simulation  # noqa: E402

STEP_S = 0.2
DURATION_S = 30.0
SEEDS = (1, 2, 3)
NEW_FIELDS = frozenset({"allowed", "settings", "actions", "centers"})
Script = dict[float, list[dict[str, Any]]]  # simulated second → actions applied then

GROWTH: Script = {
    1.0: [{"action": "add_web_server"}],  # refused: the data is still on web-1
    2.0: [{"action": "add_load_balancer"}, {"action": "separate_database"}],
    3.0: [{"action": "add_web_server"}, {"action": "add_cache"}],
    4.0: [{"action": "add_replica"}, {"action": "add_cdn"}],
    5.0: [{"action": "add_session_store"}, {"action": "set_balancing", "algorithm": "sticky"}],
    6.0: [{"action": "fail", "node": "web-1"}, {"action": "set_traffic", "rps": 800}],
    7.0: [
        {"action": "add_message_queue"},
        {"action": "set_workers", "node": "workers", "workers": 8},
    ],
    8.0: [{"action": "resize", "node": "db", "size": "l"}, {"action": "add_shard"}],
    9.0: [{"action": "restore", "node": "web-1"}, {"action": "fail", "node": "db"}],
    10.0: [{"action": "set_operations", "monitoring": True, "automation": True}],
    11.0: [{"action": "set_autoscaling", "enabled": True, "min": 2, "max": 6}],
    12.0: [{"action": "purge_cdn"}, {"action": "version_assets"}, {"action": "add_cache"}],
    13.0: [{"action": "set_traffic_mix", "read_ratio": 0.7, "zipf_s": 1.2}],
    14.0: [{"action": "remove_web_server"}, {"action": "fail", "node": "cache"}],
    16.0: [{"action": "add_data_center", "region": "europe"}],
    18.0: [{"action": "fail_data_center", "center": "europe"}, {"action": "add_web_server"}],
    22.0: [
        {"action": "restore_data_center", "center": "europe"},
        {"action": "fail", "node": "dns"},
    ],
    24.0: [{"action": "restore", "node": "dns"}, {"action": "remove_web_server", "node": "web-2"}],
}
AGGREGATE: Script = {
    2.0: [{"action": "set_traffic", "rps": 60_000}],
    8.0: [{"action": "fail", "node": "web-1"}, {"action": "add_web_server"}],
    14.0: [{"action": "restore", "node": "web-1"}, {"action": "fail", "node": "cache"}],
    20.0: [{"action": "set_traffic", "rps": 8_000}],
}
TWO_CENTERS: Script = {
    5.0: [{"action": "fail_data_center", "center": "asia"}],
    10.0: [{"action": "add_web_server"}, {"action": "add_cache"}],
    15.0: [{"action": "restore_data_center", "center": "asia"}, {"action": "add_replica"}],
    20.0: [{"action": "fail", "node": "us-db"}, {"action": "add_shard"}],
}


def plain(value: Any) -> Any:
    """A snapshot (or any value in it) as nested tuples, new fields left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, plain(getattr(value, f.name)))
            for f in fields(value)
            if f.name not in NEW_FIELDS
        )
    if isinstance(value, (tuple, list)):
        return tuple(plain(item) for item in value)
    return value


def run(topology: Topology, seed: int, script: Script | None = None, **options: Any) -> str:
    """The hash of every snapshot of one run (and of each refused command's code)."""
    sim = Simulation(topology, seed=seed, **options)
    digest = hashlib.sha256()
    pending = dict(script or {})
    steps = round(DURATION_S / STEP_S)
    for step in range(steps):
        for action in pending.pop(round(step * STEP_S, 6), []):
            try:
                sim.apply(parse_action(action, "script"))
            except CommandError as error:
                digest.update(f"refused {action['action']}: {error.code}".encode())
        digest.update(repr(plain(sim.advance(STEP_S))).encode())
    assert not pending, f"script times not on a step: {sorted(pending)}"
    return digest.hexdigest()


def example(name: str) -> Topology:
    return load_topology(yaml.safe_load((ROOT / "docs" / "examples" / name).read_text()))


def runs() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "docs" / "examples").iterdir()):
        for seed in SEEDS:
            yield f"{path.stem} seed {seed}", run(example(path.name), seed)
    for seed in SEEDS:
        yield f"growth seed {seed}", run(single_server(rps=200), seed, GROWTH)
    yield "aggregate (auto) seed 1", run(example("cached-and-replicated.yaml"), 1, AGGREGATE)
    yield (
        "aggregate (forced) seed 2",
        run(example("load-balanced.yaml"), 2, mode="aggregate"),
    )
    for seed in (1, 2):
        yield f"two centers seed {seed}", run(example("two-data-centers.yaml"), seed, TWO_CENTERS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    parser.add_argument("--check", type=Path, help="compare with the hashes in this JSON file")
    args = parser.parse_args()
    hashes = {}
    for name, value in runs():
        hashes[name] = value
        print(f"{value[:16]}  {name}", flush=True)
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=2) + "\n")
    if args.check:
        expected = json.loads(args.check.read_text())
        changed = sorted(
            n for n in expected.keys() | hashes.keys() if expected.get(n) != hashes.get(n)
        )
        print("identical" if not changed else f"CHANGED: {', '.join(changed)}")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
