"""A database server: holds the data, or one shard of it. The primary takes the writes;
replicas take reads in turn and apply each write ``replication_lag_ms`` later; a failed
primary's replica is promoted after ``failover_s``."""

from __future__ import annotations

from architect.sim.blocks.base import PART, Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

SERVICE_MS = 5.0  # data work per request, on whichever box holds the data
QUEUE_LIMIT = 1000
REPLICATION_LAG_MS = 100.0  # a new replica's


def wire(w: Wiring, node_id: str) -> Sink:
    return w.after_database()


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    return [(1.0, r.part_served if cls == PART else r.served)]


BLOCK = Block(
    kind=NodeKind.DATABASE,
    label=N_("Database"),
    tier=6,
    path_order=5,
    sends_to=frozenset(),
    default_id="db",
    preset=Preset(size="m", service_ms=SERVICE_MS, queue_limit=QUEUE_LIMIT),
    wire=wire,
    flow=flow,
    resizable=True,
    holds_data=True,
)
