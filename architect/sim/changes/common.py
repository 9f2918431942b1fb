"""Helpers the command handlers share: finding nodes by kind, checks that raise."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from architect.sim.commands import CommandError
from architect.sim.model.topology import GLOBAL_KINDS, NodeSpec
from architect.sim.snapshot import NodeKind

if TYPE_CHECKING:
    from architect.sim.engine.replication import DataTiers
    from architect.sim.simulation import Simulation


def web_server_ids(sim: Simulation) -> list[str]:
    """The web servers of the data center that commands change now (``sim.focus``)."""
    return [
        i
        for i, spec in sim.specs.items()
        if spec.kind == NodeKind.WEB_SERVER and spec.dc == sim.focus
    ]


def of_kind(sim: Simulation, kind: NodeKind) -> str:
    return next(
        (i for i, spec in sim.specs.items() if spec.kind == kind and focused(sim, spec)), ""
    )


def focused(sim: Simulation, spec: NodeSpec) -> bool:
    return spec.kind in GLOBAL_KINDS or spec.dc == sim.focus


def prefix(sim: Simulation) -> str:
    """Node ids in every data center but the first start with its name: ``asia-web-1``."""
    return f"{sim.focus}-" if sim.focus and sim.focus != sim.centers[0] else ""


def placed(sim: Simulation, spec: NodeSpec) -> NodeSpec:
    """A new node of the focused data center."""
    return replace(spec, id=prefix(sim) + spec.id, dc=sim.focus)


def focused_data(sim: Simulation) -> DataTiers | None:
    return sim.data_by_center.get(sim.focus)


def targets(sim: Simulation, node_id: str) -> list[str]:
    return [target for source, target in sim.links if source == node_id]


def existing(sim: Simulation, node_id: str) -> None:
    if node_id not in sim.specs:
        raise CommandError("unknown_node", f'there is no node "{node_id}"', node=node_id)


def needs_database(sim: Simulation, what: str) -> None:
    if focused_data(sim) is None:
        raise CommandError(
            "needs_database",
            f"a {what} needs a database server of its own first",
            what=what,
        )
