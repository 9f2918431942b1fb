"""A web server: runs the application. Without a database of its own it holds the data
too (and does that work); with one, reads go to the cache or a replica and writes to the
primary. Sessions live in its memory unless a session store keeps them."""

from __future__ import annotations

from architect.sim.blocks.base import Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

SERVICE_MS = 20.0  # application work per request
QUEUE_LIMIT = 200


def holds_data(target_kinds: list[NodeKind]) -> bool:
    """A web server with no link to a database keeps the data itself."""
    return NodeKind.DATABASE not in target_kinds


def wire(w: Wiring, node_id: str) -> Sink:
    return w.web_sink(node_id, holds_data(w.target_kinds(node_id)))


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    if holds_data(r.target_kinds(node_id)):
        return [(1.0, r.served)]
    return r.after_web(cls, False, flow)


BLOCK = Block(
    kind=NodeKind.WEB_SERVER,
    label=N_("Web server"),
    tier=3,
    path_order=2,
    sends_to=frozenset(
        {NodeKind.CACHE, NodeKind.SESSION_STORE, NodeKind.MESSAGE_QUEUE, NodeKind.DATABASE}
    ),
    default_id="web-1",
    preset=Preset(size="m", service_ms=SERVICE_MS, queue_limit=QUEUE_LIMIT),
    wire=wire,
    flow=flow,
    resizable=True,
    rotates=True,
)
