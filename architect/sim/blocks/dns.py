"""DNS: where every user's request starts. It resolves the site's name to an origin
(a load balancer or a web server), or to the CDN for static assets; with several data
centers and geo routing, to the user's nearest healthy center. It has no queue of its own."""

from __future__ import annotations

from architect.sim.blocks.base import Block, Preset
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

BLOCK = Block(
    kind=NodeKind.DNS,
    label=N_("DNS"),
    tier=0,
    path_order=0,
    sends_to=frozenset({NodeKind.LOAD_BALANCER, NodeKind.WEB_SERVER, NodeKind.CDN}),
    default_id="dns",
    preset=Preset(workers=1, service_ms=1.0),
    wire=None,
    flow=None,
    outside_centers=True,
)
