"""Commands on traffic, background jobs, sizes, operations and failures.

Every handler checks first and changes second (see ``architect.sim.changes.dispatch``).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.blocks import BLOCKS
from architect.sim.changes.common import existing
from architect.sim.commands import MAX_RPS, MAX_ZIPF_S, MIN_RPS, CommandError
from architect.sim.model import presets
from architect.sim.model.limits import MAX_POOL_WORKERS
from architect.sim.model.sizes import SIZES
from architect.sim.snapshot import EventKind, NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def set_traffic(sim: Engine, rps: float) -> None:
    if not (math.isfinite(rps) and MIN_RPS <= rps <= MAX_RPS):
        raise CommandError(
            "rps_out_of_range",
            f"traffic must be between {MIN_RPS:.15g} and {MAX_RPS:.15g} requests per second",
            low=MIN_RPS,
            high=MAX_RPS,
        )
    sim.set_rps(float(rps))
    sim.record(EventKind.TRAFFIC_CHANGED, value=float(rps))


def set_mix(
    sim: Engine, read_ratio: float | None, static_ratio: float | None, zipf_s: float | None
) -> None:
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
    sim.set_mix(
        replace(sim.traffic, read_ratio=read_ratio, static_ratio=static_ratio, zipf_s=zipf_s)
    )
    sim.record(
        EventKind.TRAFFIC_MIX_CHANGED, value=read_ratio, since=static_ratio, text=f"{zipf_s:g}"
    )


def add_message_queue(sim: Engine) -> None:
    if sim.first_of(NodeKind.MESSAGE_QUEUE):
        raise CommandError("queue_exists", "there is already a message queue")
    queue, pool = sim.placed(presets.message_queue()), sim.placed(presets.worker_pool())
    sim.add_node(queue)
    sim.add_node(pool)
    sim.links += [(web_id, queue.id) for web_id in sim.web_server_ids()] + [(queue.id, pool.id)]
    sim.rewire()
    sim.record(EventKind.QUEUE_ADDED, node=queue.id, peer=pool.id)


def set_workers(sim: Engine, node_id: str, workers: int) -> None:
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
    sim.specs[node_id] = replace(sim.specs[node_id], workers=workers)
    sim.stations[node_id].resize(workers)
    sim.record(EventKind.WORKERS_SET, node=node_id, count=workers)


def set_operations(sim: Engine, monitoring: bool, automation: bool) -> None:
    if automation and not monitoring:
        raise CommandError("automation_needs_monitoring", "automation needs monitoring")
    sim.operations = replace(sim.operations, monitoring=monitoring, automation=automation)
    state = "automation" if automation else "monitoring" if monitoring else "none"
    sim.record(EventKind.OPERATIONS_CHANGED, text=state)


def center_nodes(sim: Engine, center: str) -> list[str]:
    if not center or center not in sim.centers:
        raise CommandError("unknown_center", f'there is no data center "{center}"', center=center)
    return [i for i, spec in sim.specs.items() if spec.dc == center and i in sim.stations]


def fail_center(sim: Engine, center: str) -> None:
    nodes = [i for i in center_nodes(sim, center) if not sim.is_down(i)]
    if not nodes:
        raise CommandError("center_down", f'data center "{center}" is already down', center=center)
    for node_id in nodes:
        fail(sim, node_id)
    sim.record(EventKind.CENTER_FAILED, text=center)


def restore_center(sim: Engine, center: str) -> None:
    nodes = [i for i in center_nodes(sim, center) if sim.is_down(i)]
    if not nodes:
        raise CommandError("center_up", f'data center "{center}" is already up', center=center)
    for node_id in nodes:
        restore(sim, node_id)
    sim.record(EventKind.CENTER_RESTORED, text=center)


def resize(sim: Engine, node_id: str, size: str) -> None:
    existing(sim, node_id)
    spec = sim.specs[node_id]
    if not BLOCKS[spec.kind].resizable:
        raise CommandError("not_resizable", f'"{node_id}" has no sizes', node=node_id)
    if size not in SIZES:
        raise CommandError("unknown_size", f"size must be one of {', '.join(SIZES)}", size=size)
    sim.specs[node_id] = spec.resized(size)
    sim.stations[node_id].resize(SIZES[size].workers)
    sim.record(EventKind.NODE_RESIZED, node=node_id, text=size)


def fail(sim: Engine, node_id: str) -> None:
    existing(sim, node_id)
    if sim.is_down(node_id):
        raise CommandError("already_down", f'"{node_id}" is already down', node=node_id)
    if node_id == sim.dns_id:
        sim.dns_failed = True
    else:
        station = sim.stations[node_id]
        station.fail()
        if node_id in sim.stores:
            sim.stores[node_id].clear()  # memory is lost: it comes back cold
        if sim.tier_holding(station) is not None:
            sim.start_failover(station)
    sim.record(EventKind.NODE_FAILED, node=node_id)
    sim.start_repair(node_id)
    if node_id == sim.dns_id or _no_way_in(sim, node_id):
        sim.record(EventKind.SITE_DOWN, node=node_id)


def _no_way_in(sim: Engine, node_id: str) -> bool:
    """True when ``node_id`` was an entry point and now no user can reach the site:
    without geoDNS, the first center's; with it, the last center's still up."""
    station = sim.stations[node_id]
    if sim.geo is None or not sim.geo.geo_routing:
        return station is sim.entry
    return station in sim.entries.values() and all(entry.failed for entry in sim.entries.values())


def restore(sim: Engine, node_id: str) -> None:
    existing(sim, node_id)
    if not sim.is_down(node_id):
        raise CommandError("already_up", f'"{node_id}" is already up', node=node_id)
    sim.restore(node_id)
    sim.record(EventKind.NODE_RESTORED, node=node_id)
