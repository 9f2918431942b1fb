"""A message queue: web servers publish background jobs to it and answer at once; it
hands them to the worker pool it links to, and keeps them while the pool is down."""

from __future__ import annotations

from architect.sim.blocks.base import JOB, Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_


def wire(w: Wiring, node_id: str) -> Sink:
    return w.first_target(node_id, otherwise=w.job_failed())


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    pools = r.targets(node_id)
    return [(1.0, r.flow(pools[0], JOB) if pools else r.job_failed)]


BLOCK = Block(
    kind=NodeKind.MESSAGE_QUEUE,
    label=N_("Message queue"),
    tier=7,
    path_order=6,
    sends_to=frozenset({NodeKind.WORKER_POOL}),
    default_id="mq",
    preset=Preset(workers=64, service_ms=1.0, queue_limit=100_000),
    wire=wire,
    flow=flow,
    single=True,
    carries_jobs=True,
)
