"""Ready-made topologies, and new nodes built from their blocks' presets.

Each kind's defaults live in its block (``architect.sim.blocks``); ``node`` builds
one from them, a size's workers included.
"""

from __future__ import annotations

from typing import Unpack

from architect.sim.blocks import BLOCKS
from architect.sim.blocks import database as database_block
from architect.sim.blocks import web_server as web_block
from architect.sim.blocks.base import Preset
from architect.sim.model.sizes import SIZES
from architect.sim.model.topology import NodeSpec, Topology, Traffic
from architect.sim.snapshot import NodeKind

WEB_SERVICE_MS = web_block.SERVICE_MS  # application work per request
DATA_SERVICE_MS = database_block.SERVICE_MS  # data work, on whichever box holds the data
WEB_QUEUE_LIMIT = web_block.QUEUE_LIMIT


def node(kind: NodeKind, node_id: str = "", **fields: Unpack[Preset]) -> NodeSpec:
    """A new node of ``kind`` from its block's preset (``fields`` on top; a size sets the
    workers); its id is the block's default unless given."""
    preset: Preset = {**BLOCKS[kind].preset, **fields}
    size = preset.get("size", "")
    if size and "workers" not in fields:
        preset["workers"] = SIZES[size].workers
    return NodeSpec(id=node_id or BLOCKS[kind].default_id, kind=kind, **preset)


def dns() -> NodeSpec:
    return node(NodeKind.DNS)


def web_server(node_id: str, *, holds_data: bool, size: str = "m") -> NodeSpec:
    """A web server; one that also holds the data does the data work too."""
    service_ms = WEB_SERVICE_MS + (DATA_SERVICE_MS if holds_data else 0.0)
    return node(NodeKind.WEB_SERVER, node_id, size=size, service_ms=service_ms)


def load_balancer(node_id: str = "") -> NodeSpec:
    return node(NodeKind.LOAD_BALANCER, node_id)


def database(node_id: str = "", size: str = "m") -> NodeSpec:
    return node(NodeKind.DATABASE, node_id, size=size)


def replica(node_id: str, size: str = "m") -> NodeSpec:
    lag_ms = database_block.REPLICATION_LAG_MS
    return node(NodeKind.DATABASE, node_id, size=size, role="replica", replication_lag_ms=lag_ms)


def cache(node_id: str = "") -> NodeSpec:
    return node(NodeKind.CACHE, node_id)


def cdn(node_id: str = "") -> NodeSpec:
    return node(NodeKind.CDN, node_id)


def session_store(node_id: str = "") -> NodeSpec:
    return node(NodeKind.SESSION_STORE, node_id)


def message_queue(node_id: str = "") -> NodeSpec:
    return node(NodeKind.MESSAGE_QUEUE, node_id)


def worker_pool(node_id: str = "", workers: int = 0) -> NodeSpec:
    if workers:
        return node(NodeKind.WORKER_POOL, node_id, workers=workers)
    return node(NodeKind.WORKER_POOL, node_id)


def single_server(rps: float = 100.0) -> Topology:
    """The chapter's first stage: DNS and one box that does everything."""
    return Topology(
        name="Single server",
        nodes=(dns(), web_server("web-1", holds_data=True)),
        links=(("dns", "web-1"),),
        traffic=Traffic(rps=rps, read_ratio=0.8, static_ratio=0.2, users=10_000, job_ratio=0.1),
    )
