"""What each node costs a month: the figures, defined once, and where they come from.

Rough 2025 list prices of a big cloud (AWS, us-east-1), simplified for teaching; see
docs/topology.md#what-things-cost for the sources and what is left out.

- Machines (web servers, databases, worker pools) cost by their workers, one worker
  standing for one vCPU: a general-purpose instance is about $0.04 a vCPU-hour on demand,
  some $30 a month, and about 40 % less with a one- to three-year commitment. Clouds
  price a family's sizes in proportion to their vCPUs, so each size step doubles both.
- Managed services cost a flat monthly fee (a load balancer's hours, a Redis node) or,
  for the CDN, by the data it transfers, in and out: every asset it sends to a user, and
  every miss it fetches from the origin (``engine.assets`` says how many a month).
"""

from __future__ import annotations

from architect.sim.snapshot import NodeKind

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0

PER_WORKER = 17.5  # $ a vCPU-month, committed use (on demand: ~$30)
DNS = 1.0  # a hosted zone ($0.50) and its queries (resolvers cache the answers)
LOAD_BALANCER = 25.0  # an application load balancer's hours (~$16) and a few capacity units
CACHE = 70.0  # one managed Redis/Memcached node with ~6 GiB (~$115 on demand)
SESSION_STORE = 70.0  # the same managed Redis node, holding the sessions
MESSAGE_QUEUE = 30.0  # a managed queue at a few million jobs a month ($0.40 per million calls)
CDN_PER_GB = 0.01  # $ a GB transferred, in or out (a CDN's rate at volume, simplified)
ASSET_KB = 10.0  # a typical static asset: $0.10 per million sent
KB_PER_GB = 1e6


def cdn_per_month(sent_per_s: float, fetched_per_s: float = 0.0) -> float:
    """A CDN sending ``sent_per_s`` assets a second to users and fetching
    ``fetched_per_s`` from the origin (its misses), all month: GB × price."""
    gigabytes = (sent_per_s + fetched_per_s) * SECONDS_PER_MONTH * ASSET_KB / KB_PER_GB
    return gigabytes * CDN_PER_GB


FLAT: dict[NodeKind, float] = {  # a month, whatever the node does
    NodeKind.DNS: DNS,
    NodeKind.LOAD_BALANCER: LOAD_BALANCER,
    NodeKind.CACHE: CACHE,
    NodeKind.SESSION_STORE: SESSION_STORE,
    NodeKind.MESSAGE_QUEUE: MESSAGE_QUEUE,
}
BY_REQUESTS: frozenset[NodeKind] = frozenset({NodeKind.CDN})  # cost by what they serve


def node_per_month(
    kind: NodeKind, workers: int, requests_per_s: float = 0.0, fetched_per_s: float = 0.0
) -> float:
    """One node's monthly cost: a flat fee, its transfer (the CDN) or its workers."""
    if kind in FLAT:
        return FLAT[kind]
    if kind in BY_REQUESTS:
        return cdn_per_month(requests_per_s, fetched_per_s)
    return workers * PER_WORKER
