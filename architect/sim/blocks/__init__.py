"""The building blocks: one module per kind of node, and the registry of them.

Each module (``cache``, ``database``…) holds everything specific to its kind in one
``Block`` (see ``base``): its label, tier, allowed links, preset, and its wiring
and aggregate-mode rules. Everything else (the validator, the engine, aggregate mode,
the snapshot, the sandbox's diagram) reads them from ``BLOCKS`` instead of naming kinds.
"""

from __future__ import annotations

from collections.abc import Mapping

from architect.sim.blocks import (
    cache,
    cdn,
    database,
    dns,
    load_balancer,
    message_queue,
    session_store,
    web_server,
    worker_pool,
)
from architect.sim.blocks.base import Block
from architect.sim.snapshot import NodeKind

BLOCKS: Mapping[NodeKind, Block] = {
    module.BLOCK.kind: module.BLOCK
    for module in (
        dns,
        load_balancer,
        cdn,
        web_server,
        cache,
        session_store,
        message_queue,
        worker_pool,
        database,
    )
}
TIERS: tuple[NodeKind, ...] = tuple(sorted(BLOCKS, key=lambda kind: BLOCKS[kind].tier))
OUTSIDE_CENTERS: tuple[NodeKind, ...] = tuple(k for k, b in BLOCKS.items() if b.outside_centers)


def block(kind: NodeKind) -> Block:
    """The block of a kind of node."""
    return BLOCKS[kind]


def may_link(source: NodeKind, target: NodeKind) -> bool:
    """Whether a node of kind ``source`` may send requests to one of kind ``target``."""
    return target in BLOCKS[source].sends_to


__all__ = ["BLOCKS", "OUTSIDE_CENTERS", "TIERS", "Block", "block", "may_link"]
