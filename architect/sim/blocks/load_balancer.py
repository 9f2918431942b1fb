"""A load balancer: spreads requests over the web servers in rotation (round robin,
least connections or sticky by user) and checks their health every ``health_check_s``."""

from __future__ import annotations

from architect.sim.blocks.base import Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_


def wire(w: Wiring, node_id: str) -> Sink:
    return w.balance(node_id)


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    rotation = r.rotation(node_id)
    if not rotation:
        return [(1.0, r.failed)]
    flows = [r.flow(backend, cls) for backend in rotation]
    if r.algorithm(node_id) != "sticky":  # in turn (or to the least busy): smoother than random
        r.in_turn(flows, len(rotation))
    return [(1.0 / len(rotation), f) for f in flows]


BLOCK = Block(
    kind=NodeKind.LOAD_BALANCER,
    label=N_("Load balancer"),
    tier=2,
    path_order=1,
    sends_to=frozenset({NodeKind.WEB_SERVER}),
    default_id="lb",
    preset=Preset(workers=64, service_ms=0.2, queue_limit=10_000, health_check_s=2.0),
    wire=wire,
    flow=flow,
    single=True,
    balances=True,
)
