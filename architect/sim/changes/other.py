"""Commands on traffic, background jobs, sizes and operations.

Each handler checks, then returns the change (see ``architect.sim.changes.common``).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.blocks import BLOCKS
from architect.sim.changes.common import Change, existing
from architect.sim.commands import MAX_RPS, MAX_ZIPF_S, MIN_RPS, CommandError
from architect.sim.model import presets
from architect.sim.model.limits import MAX_POOL_WORKERS
from architect.sim.model.sizes import SIZES
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def set_traffic(sim: Engine, rps: float) -> Change:
    if not (math.isfinite(rps) and MIN_RPS <= rps <= MAX_RPS):
        raise CommandError(
            "rps_out_of_range",
            f"traffic must be between {MIN_RPS:.15g} and {MAX_RPS:.15g} requests per second",
            low=MIN_RPS,
            high=MAX_RPS,
        )

    def change() -> None:
        sim.set_rps(float(rps))
        sim.record(EventKind.TRAFFIC_CHANGED, value=float(rps))

    return change


def set_mix(
    sim: Engine, read_ratio: float | None, static_ratio: float | None, zipf_s: float | None
) -> Change:
    """Change the mix; a field given as ``None`` keeps its current value."""
    traffic = sim.traffic
    read_ratio = traffic.read_ratio if read_ratio is None else read_ratio
    static_ratio = traffic.static_ratio if static_ratio is None else static_ratio
    zipf_s = traffic.zipf_s if zipf_s is None else zipf_s
    for name, value, high in (
        ("read_ratio", read_ratio, 1.0),
        ("static_ratio", static_ratio, 1.0),
        ("zipf_s", zipf_s, MAX_ZIPF_S),
    ):
        if not (math.isfinite(value) and 0 <= value <= high):
            raise CommandError(
                "mix_out_of_range", f"{name} must be between 0 and {high:g}", field=name, high=high
            )
    mix = replace(traffic, read_ratio=read_ratio, static_ratio=static_ratio, zipf_s=zipf_s)

    def change() -> None:
        sim.set_mix(mix)
        sim.record(
            EventKind.TRAFFIC_MIX_CHANGED, value=read_ratio, since=static_ratio, text=f"{zipf_s:g}"
        )

    return change


def add_message_queue(sim: Engine) -> Change:
    if sim.first_of(NodeKind.MESSAGE_QUEUE):
        raise CommandError("queue_exists", "there is already a message queue")

    def change() -> None:
        queue, pool = sim.placed(presets.message_queue()), sim.placed(presets.worker_pool())
        sim.add_node(queue)
        sim.add_node(pool)
        sim.connect([*((web_id, queue.id) for web_id in sim.web_server_ids()), (queue.id, pool.id)])
        sim.rewire()
        sim.record(EventKind.QUEUE_ADDED, node=queue.id, peer=pool.id)

    return change


def set_workers(sim: Engine, node_id: str, workers: int) -> Change:
    existing(sim, node_id)
    if sim.specs[node_id].kind != NodeKind.WORKER_POOL:
        raise CommandError("not_a_worker_pool", f'"{node_id}" is not a worker pool', node=node_id)
    if not 1 <= workers <= MAX_POOL_WORKERS:
        raise CommandError(
            "workers_out_of_range",
            f"a pool has 1 to {MAX_POOL_WORKERS} workers",
            low=1,
            high=MAX_POOL_WORKERS,
        )

    def change() -> None:
        sim.set_workers(node_id, workers)
        sim.record(EventKind.WORKERS_SET, node=node_id, count=workers)

    return change


def set_operations(sim: Engine, monitoring: bool, automation: bool) -> Change:
    if automation and not monitoring:
        raise CommandError("automation_needs_monitoring", "automation needs monitoring")

    def change() -> None:
        sim.set_operations(replace(sim.operations, monitoring=monitoring, automation=automation))
        state = "automation" if automation else "monitoring" if monitoring else "none"
        sim.record(EventKind.OPERATIONS_CHANGED, text=state)

    return change


def resize(sim: Engine, node_id: str, size: str) -> Change:
    existing(sim, node_id)
    if not BLOCKS[sim.specs[node_id].kind].resizable:
        raise CommandError("not_resizable", f'"{node_id}" has no sizes', node=node_id)
    if size not in SIZES:
        raise CommandError("unknown_size", f"size must be one of {', '.join(SIZES)}", size=size)

    def change() -> None:
        sim.resize(node_id, size)
        sim.record(EventKind.NODE_RESIZED, node=node_id, text=size)

    return change
