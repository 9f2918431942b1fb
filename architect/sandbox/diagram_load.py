"""What the diagram says about load: how busy each node is on a six-step scale, how much
traffic each link carries, how long each queue is, and which node is the bottleneck.

The figures are banded (a step of the colour scale, a width of line, a length of bar) so
that the diagram changes, and is sent again, only when what it shows changes.

The engine counts requests per node, not per link, so a link's traffic is estimated from
the nodes' own counts: what the receiving node finished per second, shared among the nodes
that send to it by what each of them finished; a CDN sends its origin only its misses
(its lookups times one minus its hit ratio). Users send DNS every request that arrived.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from architect.sim.snapshot import NodeKind, NodeSnapshot, NodeStatus, Snapshot

USERS = "users"
LOAD_STEPS = (0.2, 0.4, 0.6, 0.8, 0.95)  # upper bounds of steps 0..4; step 5 above
FLOW_DECADES = 5  # flow steps 1..5: under 10, 100, 1,000, 10,000 req/s, and more
QUEUE_STEPS = 10  # a queue bar's length in tenths of the box (log scale, full at QUEUE_FULL)
QUEUE_FULL = 1000
BOTTLENECK_AT = 0.85  # the busiest node is the bottleneck from this utilisation on


def load_step(utilization: float) -> int:
    """A node's step on the colour scale, 0 (idle) to 5 (95 % busy or more)."""
    return next((i for i, top in enumerate(LOAD_STEPS) if utilization < top), len(LOAD_STEPS))


def flow_step(rps: float) -> int:
    """A link's width: 0 when it carries nothing (under one request in ten seconds), else
    1 to 5 by the decade of its requests per second."""
    if rps < 0.1:
        return 0
    return max(1, min(FLOW_DECADES, math.floor(math.log10(max(rps, 1.0))) + 1))


def queue_step(queued: int) -> int:
    """A queue bar's length in tenths: 0 for an empty queue, at least 1 for one request,
    10 from ``QUEUE_FULL`` waiting requests (a log scale: 10 is 3 tenths, 100 is 7)."""
    if queued <= 0:
        return 0
    return max(1, min(QUEUE_STEPS, round(QUEUE_STEPS * math.log10(1 + queued) / 3)))


def working(node: NodeSnapshot) -> bool:
    return node.status == NodeStatus.UP and node.in_rotation


def link_traffic(snapshot: Snapshot) -> dict[tuple[str, str], float]:
    """Requests per second along each link (and from the users to DNS), estimated from the
    nodes' counts (see the module's docstring); a link to or from a node that is down or
    out of rotation carries nothing."""
    nodes = {n.id: n for n in snapshot.nodes}
    hits = dict(snapshot.hit_ratios)
    senders: dict[str, list[str]] = defaultdict(list)
    for a, b in snapshot.links:
        if a in nodes and b in nodes:
            senders[b].append(a)
    traffic: dict[tuple[str, str], float] = {}
    for target, sources in senders.items():
        receiver = nodes[target]
        if not working(receiver):
            traffic.update({(a, target): 0.0 for a in sources})
            continue
        known = {
            a: nodes[a].throughput_rps * (1 - hits.get(a, 0.0))
            for a in sources
            if nodes[a].kind == NodeKind.CDN and working(nodes[a])
        }
        rest = max(0.0, receiver.throughput_rps - sum(known.values()))
        others = [a for a in sources if a not in known and working(nodes[a])]
        weight = sum(nodes[a].throughput_rps for a in others)
        for a in sources:
            if a in known:
                traffic[(a, target)] = min(known[a], receiver.throughput_rps)
            elif a in others:
                share = nodes[a].throughput_rps / weight if weight > 0 else 1 / len(others)
                traffic[(a, target)] = rest * share
            else:
                traffic[(a, target)] = 0.0
    dns = next((n for n in snapshot.nodes if n.kind == NodeKind.DNS), None)
    if dns is not None:
        traffic[(USERS, dns.id)] = snapshot.arrivals_rps if working(dns) else 0.0
    return traffic


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """The busiest working node and whether it is busy enough to limit the site."""

    node: str
    percent: str  # "97%"
    limiting: bool


def bottleneck(snapshot: Snapshot) -> Bottleneck | None:
    """The working node with the highest utilisation (None when no node does work)."""
    candidates = [n for n in snapshot.nodes if working(n) and n.workers]
    if not candidates:
        return None
    busiest = max(candidates, key=lambda n: n.utilization)
    percent = f"{busiest.utilization:.0%}"
    return Bottleneck(busiest.id, percent, busiest.utilization >= BOTTLENECK_AT)
