"""A cache: an in-memory key store between the web servers and the database. A read that
hits ends there; a miss reads a replica (or the primary) and fills the cache; a write
invalidates the key. Entries expire after ``ttl_s``; when full, one is evicted by policy."""

from __future__ import annotations

from architect.sim.blocks.base import READ, Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

SERVICE_MS = 0.5  # an in-memory lookup


def wire(w: Wiring, node_id: str) -> Sink:
    return w.after_cache()


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    hit = r.hit(node_id, r.reads_rps, r.writes_rps)
    return [(hit, r.served), (1.0 - hit, r.readers(READ))]


BLOCK = Block(
    kind=NodeKind.CACHE,
    label=N_("Cache"),
    tier=4,
    path_order=4,
    sends_to=frozenset(),
    default_id="cache",
    preset=Preset(
        workers=16,
        service_ms=SERVICE_MS,
        queue_limit=10_000,
        capacity_keys=10_000,
        ttl_s=60.0,
        eviction="lru",
    ),
    wire=wire,
    flow=flow,
    single=True,
    holds_keys=True,
)
