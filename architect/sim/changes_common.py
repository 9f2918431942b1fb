"""Helpers the command handlers share: finding nodes by kind, checks that raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from architect.sim.commands import CommandError
from architect.sim.snapshot import NodeKind

if TYPE_CHECKING:
    from architect.sim.engine import Simulation


def web_server_ids(sim: Simulation) -> list[str]:
    return [i for i, spec in sim.specs.items() if spec.kind == NodeKind.WEB_SERVER]


def of_kind(sim: Simulation, kind: NodeKind) -> str:
    return next((i for i, spec in sim.specs.items() if spec.kind == kind), "")


def targets(sim: Simulation, node_id: str) -> list[str]:
    return [target for source, target in sim.links if source == node_id]


def existing(sim: Simulation, node_id: str) -> None:
    if node_id not in sim.specs:
        raise CommandError("unknown_node", f'there is no node "{node_id}"', node=node_id)


def needs_database(sim: Simulation, what: str) -> None:
    if sim.data is None:
        raise CommandError(
            "needs_database",
            f"a {what} needs a database server of its own first",
            what=what,
        )
