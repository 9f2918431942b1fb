"""Checks the command handlers share; each raises ``CommandError``.

Finding nodes in the focused data center is the engine's (``Engine.first_of`` and co).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from architect.sim.commands import CommandError

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine
    from architect.sim.engine.replication import DataTiers


def focused_data(sim: Engine) -> DataTiers | None:
    return sim.data_by_center.get(sim.focus)


def existing(sim: Engine, node_id: str) -> None:
    if node_id not in sim.specs:
        raise CommandError("unknown_node", f'there is no node "{node_id}"', node=node_id)


def needs_database(sim: Engine, what: str) -> None:
    if focused_data(sim) is None:
        raise CommandError(
            "needs_database",
            f"a {what} needs a database server of its own first",
            what=what,
        )
