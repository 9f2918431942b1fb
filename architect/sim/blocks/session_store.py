"""A session store: keeps every logged-in user's session, so any web server can serve
anyone. Each dynamic request looks its session up here, then goes on as it would have."""

from __future__ import annotations

from architect.sim.blocks.base import Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

SERVICE_MS = 0.5  # an in-memory lookup


def wire(w: Wiring, node_id: str) -> Sink:
    return w.after_session()


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    return r.after_web(cls, True, flow)


BLOCK = Block(
    kind=NodeKind.SESSION_STORE,
    label=N_("Session store"),
    tier=5,
    path_order=3,
    sends_to=frozenset(),
    default_id="sessions",
    preset=Preset(workers=16, service_ms=SERVICE_MS, queue_limit=10_000),
    wire=wire,
    flow=flow,
    single=True,
)
