"""Commands that fail and restore nodes and whole data centers, and how writes reach
the other centers (``set_sync``: what a center that goes dark takes with it).

Each handler checks, then returns the change (see ``architect.sim.changes.common``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from architect.sim.changes.common import Change, existing
from architect.sim.commands import CommandError
from architect.sim.model.limits import DC_SYNC_MODES
from architect.sim.snapshot import EventKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine


def fail(sim: Engine, node_id: str) -> Change:
    existing(sim, node_id)
    if sim.is_down(node_id):
        raise CommandError("already_down", f'"{node_id}" is already down', node=node_id)

    def change() -> None:
        sim.fail_node(node_id)
        sim.record(EventKind.NODE_FAILED, node=node_id)
        sim.start_repair(node_id)
        if node_id == sim.dns_id or _no_way_in(sim, node_id):
            sim.record(EventKind.SITE_DOWN, node=node_id)

    return change


def _no_way_in(sim: Engine, node_id: str) -> bool:
    """True when ``node_id`` was an entry point and now no user can reach the site:
    without geoDNS, the first center's; with it, the last center's still up."""
    station = sim.stations[node_id]
    if sim.geo is None or not sim.geo.geo_routing:
        return station is sim.entry
    return station in sim.entries.values() and all(entry.failed for entry in sim.entries.values())


def restore(sim: Engine, node_id: str) -> Change:
    existing(sim, node_id)
    if not sim.is_down(node_id):
        raise CommandError("already_up", f'"{node_id}" is already up', node=node_id)

    def change() -> None:
        sim.restore(node_id)
        sim.record(EventKind.NODE_RESTORED, node=node_id)

    return change


def _center_nodes(sim: Engine, center: str, *, down: bool) -> list[str]:
    """The center's nodes that are down (``down``) or up, to restore or fail; refused when
    it has none: the whole center is already up, or already down."""
    if not center or center not in sim.centers:
        raise CommandError("unknown_center", f'there is no data center "{center}"', center=center)
    nodes = [i for i, spec in sim.specs.items() if spec.dc == center and i in sim.stations]
    changing = [i for i in nodes if sim.is_down(i) == down]
    if changing:
        return changing
    if down:
        raise CommandError("center_up", f'data center "{center}" is already up', center=center)
    raise CommandError("center_down", f'data center "{center}" is already down', center=center)


def fail_center(sim: Engine, center: str) -> Change:
    nodes = _center_nodes(sim, center, down=False)

    def change() -> None:
        for node_id in nodes:
            fail(sim, node_id)()
        lost = sim.sync.center_failed(center, sim.now) if sim.sync is not None else 0
        sim.record(EventKind.CENTER_FAILED, text=center, count=lost)

    return change


def restore_center(sim: Engine, center: str) -> Change:
    nodes = _center_nodes(sim, center, down=True)

    def change() -> None:
        for node_id in nodes:
            restore(sim, node_id)()
        sim.record(EventKind.CENTER_RESTORED, text=center)

    return change


def set_sync(sim: Engine, mode: str) -> Change:
    """How writes reach the other data centers from now on."""
    if mode not in DC_SYNC_MODES:
        raise CommandError("unknown_sync", "sync is none, async or sync", mode=mode)
    if len(sim.centers) < 2:
        raise CommandError("one_center", "there is one data center: no other to copy writes to")

    def change() -> None:
        sim.set_sync(mode)
        sim.record(EventKind.SYNC_SET, text=mode, value=sim.network.dc_sync_ms)

    return change
