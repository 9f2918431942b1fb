"""Which static assets go through the CDN, and what the CDN transfers for them.

Assets are ranked by popularity (key 0 the most requested, as ``keys.ZipfKeys`` draws
them); a CDN with ``assets`` = 0.1 serves the most requested tenth of the catalogue and
links the rest straight to the origin. What the CDN is billed for (``model.costs``) is
the data it transfers: out to the users for every request it answers, and in from the
origin for every miss. A month's misses are the steady state's: a copy is fetched and
kept ``ttl_s``, and with Poisson requests at rate a an asset's copy serves a·ttl hits
per fetch (``model.hitratio``), so a rarely requested one is fetched nearly every time.
"""

from __future__ import annotations

from functools import lru_cache

from architect.sim.engine.keys import zipf_cdf
from architect.sim.model.hitratio import hit_ratio, rounded


def scope_keys(assets: float, keys: int) -> int:
    """How many of ``keys`` assets (the most requested) the CDN serves (at least one)."""
    return max(1, min(keys, round(assets * keys)))


@lru_cache(maxsize=64)
def scope_share(keys: int, zipf_s: float, scoped: int) -> float:
    """The share of asset requests that ask for one of the ``scoped`` most requested."""
    if scoped >= keys:
        return 1.0
    if zipf_s == 0.0:
        return scoped / keys
    return float(zipf_cdf(keys, zipf_s)[0][scoped - 1])


def cdn_transfer(
    static_rps: float, keys: int, zipf_s: float, assets: float, ttl_s: float, capacity: int
) -> tuple[float, float]:
    """(requests a second the CDN answers, of which misses it fetches from the origin),
    in the steady state a month's bill needs."""
    scoped = scope_keys(assets, keys)
    served = static_rps * scope_share(keys, zipf_s, scoped)
    if served <= 0.0:
        return 0.0, 0.0
    hits = hit_ratio(scoped, zipf_s, capacity, ttl_s, rounded(served), 0.0)
    return served, served * (1.0 - hits)
