"""A worker pool: consumes background jobs from the message queue at its own pace (making
thumbnails of an uploaded photo, say). Jobs it was working on when it failed go back to
the front of the queue."""

from __future__ import annotations

from architect.sim.blocks.base import Block, Choices, Preset, Routes, Sink, T, Wiring
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

JOB_SERVICE_MS = 500.0


def wire(w: Wiring, node_id: str) -> Sink:
    return w.job_done()


def flow(r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]:
    return [(1.0, r.job_done)]


BLOCK = Block(
    kind=NodeKind.WORKER_POOL,
    label=N_("Worker pool"),
    tier=8,
    path_order=7,
    sends_to=frozenset(),
    default_id="workers",
    preset=Preset(workers=4, service_ms=JOB_SERVICE_MS, queue_limit=1_000_000),
    wire=wire,
    flow=flow,
    single=True,
    carries_jobs=True,
    durable=True,
)
