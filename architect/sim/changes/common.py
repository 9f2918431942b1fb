"""What the command handlers share: the ``Change`` each returns, and checks that raise.

A handler checks first and returns the change second: ``add_cache(sim)`` raises
``CommandError`` when there can be no cache, and otherwise returns a function that
adds it. ``apply`` calls the change; ``allowed`` only asks the handlers, so what
the page offers is decided by the very checks a command goes through.
Finding nodes in the focused data center is the engine's (``Site.first_of`` and co).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from architect.sim.commands import CommandError
from architect.sim.snapshot import EventKind

if TYPE_CHECKING:
    from architect.sim.engine.core import Engine
    from architect.sim.model.topology import NodeSpec

Change = Callable[[], None]


def existing(sim: Engine, node_id: str) -> None:
    if node_id not in sim.specs:
        raise CommandError("unknown_node", f'there is no node "{node_id}"', node=node_id)


def needs_database(sim: Engine, what: str) -> None:
    if sim.focused_data() is None:
        raise CommandError(
            "needs_database",
            f"a {what} needs a database server of its own first",
            what=what,
        )


def add_behind_web_servers(sim: Engine, spec: NodeSpec, event: EventKind) -> None:
    """Place ``spec`` in the focused data center, link every web server to it, rewire,
    and log ``event`` for it (a cache, a replica, a session store)."""
    spec = sim.placed(spec)
    sim.add_node(spec)
    sim.connect((web_id, spec.id) for web_id in sim.web_server_ids())
    sim.rewire()
    sim.record(event, node=spec.id)
