"""Steady-state hit ratios of the cache and the CDN (Che's approximation): aggregate mode
routes by them, and a CDN's monthly bill counts its misses by them (``engine.assets``).

Keys are requested with Zipf popularity p_k ∝ 1/(k+1)^s (as ``keys.ZipfKeys`` draws
them), reads of key k at rate a_k = read_rps p_k, writes (which invalidate it) at
w_k = write_rps p_k. Che's approximation gives an LRU cache of C keys a
*characteristic time* T: a key is held if it was read within the last T seconds
and not written since, so

    P(k held) = a_k / (a_k + w_k) · (1 − e^{−(a_k + w_k) T}),   Σ_k P(k held) = C,

and a read hits with P(k held) (Poisson arrivals see time averages). A copy also
expires ``ttl`` after it was put: with H = a_k (1 − e^{−w_k ttl}) / w_k reads per
copy's life (a_k ttl without writes) the hit ratio is at most H / (1 + H).
LFU and FIFO are treated as LRU (close under independent requests).
Keys are summed in rank bins (exact for the first ranks, 2 % wide after), so a
million keys cost a few hundred terms.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import pairwise

_EXACT_RANKS = 500
_BIN_GROWTH = 1.02


@lru_cache(maxsize=16)
def _bins(n: int, s: float) -> tuple[tuple[float, float], ...]:
    """(probability of one key in the bin, keys in the bin), most popular first."""
    edges = list(range(min(n, _EXACT_RANKS) + 1))
    while edges[-1] < n:
        edges.append(min(n, max(edges[-1] + 1, math.ceil(edges[-1] * _BIN_GROWTH))))
    weights = [
        ((a + b + 1) / 2.0) ** -s if b - a > 1 else float((a + 1) ** -s) for a, b in pairwise(edges)
    ]
    counts = [b - a for a, b in pairwise(edges)]
    total = sum(w * c for w, c in zip(weights, counts, strict=True))
    return tuple((w / total, float(c)) for w, c in zip(weights, counts, strict=True))


def _held(p: float, read_rps: float, write_rps: float, t: float) -> float:
    a, w = read_rps * p, write_rps * p
    if a <= 0.0:
        return 0.0
    return a / (a + w) * -math.expm1(-(a + w) * t)


def _ttl_cap(p: float, read_rps: float, write_rps: float, ttl_s: float) -> float:
    a, w = read_rps * p, write_rps * p
    reads = a * ttl_s if w <= 0.0 else a * -math.expm1(-w * ttl_s) / w
    return reads / (1.0 + reads)


@lru_cache(maxsize=256)
def hit_ratio(
    n: int, s: float, capacity: int, ttl_s: float, read_rps: float, write_rps: float
) -> float:
    """The share of reads that hit (see the module docstring); 0 when nothing is read."""
    if read_rps <= 0.0:
        return 0.0
    bins = _bins(n, s)
    t = math.inf
    if capacity < n:
        low, high = 0.0, 1.0
        while (
            sum(c * _held(p, read_rps, write_rps, high) for p, c in bins) < capacity and high < 1e12
        ):
            high *= 2.0
        if high < 1e12:
            for _ in range(60):
                middle = (low + high) / 2.0
                if sum(c * _held(p, read_rps, write_rps, middle) for p, c in bins) < capacity:
                    low = middle
                else:
                    high = middle
            t = (low + high) / 2.0
    hits = 0.0
    for p, c in bins:
        held = (
            _held(p, read_rps, write_rps, t)
            if math.isfinite(t)
            else _held(p, read_rps, write_rps, 1e12)
        )
        hits += c * p * min(held, _ttl_cap(p, read_rps, write_rps, ttl_s))
    return hits


def rounded(value: float) -> float:
    """A rate rounded to 3 significant digits, so the cache above is reused."""
    if value <= 0.0:
        return 0.0
    return float(f"{value:.3g}")
