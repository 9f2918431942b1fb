"""A CDN: edge servers near the users that serve static assets. A hit ends there; a miss
is fetched from the first data center's origin and kept for ``ttl_s``."""

from __future__ import annotations

from architect.sim.blocks.base import Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

SERVICE_MS = 4.0  # an edge server near the user


def wire(w: Wiring, node_id: str) -> Sink:
    return w.after_cdn()


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    hit = r.hit(node_id, r.static_rps, 0.0)
    return [(hit, r.served), (1.0 - hit, r.flow(r.entry, cls))]


BLOCK = Block(
    kind=NodeKind.CDN,
    label=N_("CDN"),
    tier=1,
    path_order=0,
    sends_to=frozenset({NodeKind.LOAD_BALANCER, NodeKind.WEB_SERVER}),
    default_id="cdn",
    preset=Preset(workers=10_000, service_ms=SERVICE_MS, queue_limit=0, ttl_s=3600.0),
    wire=wire,
    flow=flow,
    outside_centers=True,
    single=True,
    edge=True,
    holds_keys=True,
    fixed_capacity=10_000_000,
)
