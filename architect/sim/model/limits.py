"""Every limit and choice of the simulation, defined once.

The loader, the validator, the action vocabulary and the command handlers all
read their bounds from here, so a topology file, a lesson and a button agree.
"""

from __future__ import annotations

MAX_NODES = 64
MAX_WEB_SERVERS = 20
SERVICE_DISTRIBUTIONS = ("exponential", "constant")
EVICTIONS = ("lru", "lfu", "fifo")
CACHE_WRITES = ("invalidate", "expire")  # what a write does to a cached copy
CACHE_TTL_S = (1.0, 86_400.0)  # what the cache control may set
CDN_ASSETS = (0.001, 1.0)  # the share of assets a CDN may serve, the most requested first
DC_SYNC_MODES = ("none", "async", "sync")  # how a write reaches the other data centers
DATABASE_ROLES = ("primary", "replica")
MAX_REPLICAS = 8
MAX_KEYS = 1_000_000
MAX_SHARDS = 16
MAX_HOT_KEYS = 3  # hottest keys that may each have a shard of their own
MAX_DATA_CENTERS = 8
SHARDING_STRATEGIES = ("none", "modulo", "consistent_hash")
BALANCING_ALGORITHMS = ("round_robin", "least_connections", "sticky")
MAX_EVENTS = 200
MAX_EVENT_AT_S = 86_400.0
REGIONS = ("us-east", "europe", "asia")  # where the sandbox can open a data center
HOME_REGION = REGIONS[0]  # where a site with one unnamed center stands
MAX_CENTERS = 3  # data centers the sandbox opens (a topology file may have MAX_DATA_CENTERS)
MAX_POOL_WORKERS = 256
