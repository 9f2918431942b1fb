"""The key cache: eviction policies, TTL, invalidation, and hit ratios against theory."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from random import Random

import pytest

from architect.sim.engine.cachestore import Eviction, KeyCache
from architect.sim.engine.keys import ZipfKeys

KEYS = 10_000
CAPACITY = 1_000
WARM_UP = 50_000
MEASURED = 200_000


def _held(cache: KeyCache, keys: Sequence[int]) -> set[int]:
    """The keys held (read last: hits reorder but nothing is evicted after)."""
    return {key for key in keys if cache.get(key, 0.0)}


# --- policy semantics on tiny sequences ---------------------------------------------------


@pytest.mark.parametrize(("eviction", "victim"), [("lru", 2), ("fifo", 1), ("lfu", 3)])
def test_each_policy_evicts_its_own_victim(eviction: Eviction, victim: int):
    """Put 1, 2, 3; read 2, 2, 3, 1; put 4 into the full cache.

    LRU drops 2 (least recently read); FIFO drops 1 (first put); LFU drops 3: keys 1 and 3
    were used twice each (put + one read), 2 three times, and the tie goes to the less recent.
    """
    cache = KeyCache(3, None, eviction)
    for key in (1, 2, 3):
        cache.put(key, 0.0)
    for key in (2, 2, 3, 1):
        assert cache.get(key, 0.0)
    cache.put(4, 0.0)
    assert cache.evictions == 1
    assert len(cache) == 3
    assert _held(cache, (1, 2, 3, 4)) == {1, 2, 3, 4} - {victim}


def test_lfu_evicts_a_newcomer_before_a_proven_key():
    """A new key starts at one use, so it is the next victim unless it is read."""
    cache = KeyCache(2, None, "lfu")
    cache.put(1, 0.0)
    cache.get(1, 0.0)
    cache.put(2, 0.0)
    cache.put(3, 0.0)  # evicts 2 (one use) rather than 1 (two)
    cache.put(4, 0.0)  # evicts 3 the same way
    assert _held(cache, (1, 2, 3, 4)) == {1, 4}


def test_a_put_on_a_held_key_evicts_nothing():
    cache = KeyCache(2, None, "lru")
    cache.put(1, 0.0)
    cache.put(2, 0.0)
    cache.put(1, 0.0)  # a refresh, and a use: 2 is now the least recent
    assert cache.evictions == 0
    cache.put(3, 0.0)
    assert _held(cache, (1, 2, 3)) == {1, 3}


# --- TTL, invalidation, clear -------------------------------------------------------------


@pytest.mark.parametrize("eviction", ["lru", "lfu", "fifo"])
def test_an_entry_expires_ttl_after_its_put_not_its_last_hit(eviction: Eviction):
    cache = KeyCache(10, 10.0, eviction)
    cache.put(7, now=0.0)
    assert cache.get(7, now=9.0)  # a hit does not extend the TTL
    assert not cache.get(7, now=10.0)
    assert (len(cache), cache.expired, cache.hits, cache.misses) == (0, 1, 1, 1)
    cache.put(7, now=20.0)
    cache.put(7, now=25.0)  # a put does: now held until 35
    assert cache.get(7, now=34.9)
    assert not cache.get(7, now=35.0)


def test_without_a_ttl_entries_never_expire():
    cache = KeyCache(1, None, "lru")
    cache.put(1, 0.0)
    assert cache.get(1, 1e12)


@pytest.mark.parametrize("eviction", ["lru", "lfu", "fifo"])
def test_invalidate_drops_a_key_and_frees_its_slot(eviction: Eviction):
    cache = KeyCache(2, None, eviction)
    cache.put(1, 0.0)
    cache.put(2, 0.0)
    cache.get(2, 0.0)
    assert cache.invalidate(1)
    assert not cache.invalidate(1)
    assert not cache.get(1, 0.0)
    cache.put(3, 0.0)  # fits in the freed slot
    assert cache.evictions == 0
    assert _held(cache, (1, 2, 3)) == {2, 3}


def test_clear_empties_the_cache_and_keeps_the_counters():
    cache = KeyCache(4, None, "lfu")
    for key in range(6):
        cache.put(key, 0.0)
    cache.get(5, 0.0)
    cache.clear()
    assert len(cache) == 0
    assert (cache.hits, cache.evictions) == (1, 2)
    cache.put(9, 0.0)
    assert cache.get(9, 0.0)


@pytest.mark.parametrize(
    ("capacity", "ttl_s", "eviction", "message"),
    [
        (0, None, "lru", "capacity"),
        (10_000_001, None, "lru", "capacity"),
        (1, 0.0, "lru", "TTL"),
        (1, -1.0, "lru", "TTL"),
        (1, None, "random", "eviction"),
    ],
)
def test_out_of_range_settings_are_refused(capacity, ttl_s, eviction, message):
    with pytest.raises(ValueError, match=message):
        KeyCache(capacity, ttl_s, eviction)


# --- hit ratios under Zipf keys against theory --------------------------------------------


def _solve(occupancy: Callable[[float], float], target: float) -> float:
    """The t > 0 where an increasing ``occupancy(t)`` reaches ``target``, by bisection."""
    low, high = 0.0, 1.0
    while occupancy(high) < target:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if occupancy(middle) < target else (low, middle)
    return (low + high) / 2


def che_lru_hit_ratio(p: Sequence[float], capacity: int) -> float:
    """Che's approximation: T_C solves Σ (1 - e^{-p_k T_C}) = C; hit = Σ p_k (1 - e^{-p_k T_C})."""
    t_c = _solve(lambda t: math.fsum(1 - math.exp(-q * t) for q in p), capacity)
    return math.fsum(q * (1 - math.exp(-q * t_c)) for q in p)


def fifo_hit_ratio(p: Sequence[float], capacity: int) -> float:
    """FIFO under independent requests: h_k = p_k T / (1 + p_k T) with Σ h_k = C."""
    t = _solve(lambda t: math.fsum(q * t / (1 + q * t) for q in p), capacity)
    return math.fsum(q * q * t / (1 + q * t) for q in p)


def _measured(eviction: Eviction, s: float, seed: int = 11) -> float:
    """Warm up, reset the counters, then the hit ratio of a read-through cache."""
    cache = KeyCache(CAPACITY, None, eviction)
    keys = ZipfKeys(KEYS, s, Random(seed))
    for round_ in (WARM_UP, MEASURED):
        cache.hits = cache.misses = 0
        for _ in range(round_):
            key = keys.draw()
            if not cache.get(key, 0.0):
                cache.put(key, 0.0)
    assert cache.hits + cache.misses == MEASURED
    return cache.hit_ratio()


def _probabilities(s: float) -> list[float]:
    return ZipfKeys(KEYS, s, Random(0)).probabilities()


@pytest.mark.parametrize("s", [0.8, 1.0, 1.2])
def test_lru_hit_ratio_matches_ches_approximation(s: float):
    """10k Zipf keys, 1k slots: within ±3 % (relative) of Che's approximation."""
    theory = che_lru_hit_ratio(_probabilities(s), CAPACITY)
    assert _measured("lru", s) == pytest.approx(theory, rel=0.03)


@pytest.mark.parametrize("s", [0.8, 1.2])
def test_fifo_hit_ratio_matches_its_approximation(s: float):
    theory = fifo_hit_ratio(_probabilities(s), CAPACITY)
    assert _measured("fifo", s) == pytest.approx(theory, rel=0.03)


def test_under_static_zipf_lfu_beats_lru_beats_fifo_and_none_beats_the_top_keys():
    """LFU ≥ LRU ≥ FIFO; and no online policy beats holding the C most popular keys."""
    lfu, lru, fifo = (_measured(e, 1.0) for e in ("lfu", "lru", "fifo"))
    best = math.fsum(_probabilities(1.0)[:CAPACITY])
    assert fifo < lru < lfu <= best + 0.005


def test_ttl_hit_ratio_matches_renewal_theory():
    """No evictions, Poisson requests at rate λ, TTL from the put (hits don't renew).

    Each key cycles through one miss and then the hits that land within the TTL:
    hit ratio for key k is λ p_k T / (1 + λ p_k T).
    """
    rate, ttl, n = 2_000.0, 0.05, 1_000
    rng = Random(5)
    keys = ZipfKeys(n, 1.0, rng)
    cache = KeyCache(n, ttl, "lru")
    now = 0.0
    for _ in range(MEASURED):
        now += rng.expovariate(rate)
        key = keys.draw()
        if not cache.get(key, now):
            cache.put(key, now)
    theory = math.fsum(q * rate * q * ttl / (1 + rate * q * ttl) for q in keys.probabilities())
    assert cache.evictions == 0
    assert cache.hit_ratio() == pytest.approx(theory, rel=0.03)


# --- what a write does: invalidate, or a stale copy until it expires ------------------------


def test_a_write_drops_the_copy_by_default_and_nothing_is_ever_stale():
    cache = KeyCache(10, 60.0, "lru")
    cache.put(1, 0.0)
    cache.written(1)
    assert not cache.get(1, 1.0)
    assert cache.stale_hits == 0


def test_with_writes_expire_the_copy_stays_stale_until_refilled():
    cache = KeyCache(10, 5.0, "lru", "expire")
    cache.put(1, 0.0)
    assert cache.get(1, 1.0)  # fresh
    cache.written(1)
    assert cache.get(1, 2.0) and cache.get(1, 3.0)  # the old value, twice
    assert cache.stale_hits == 2
    assert not cache.get(1, 5.0)  # expired: the next read fetches the new value
    cache.put(1, 5.0)
    assert cache.get(1, 6.0)
    assert (cache.hits, cache.stale_hits) == (4, 2)
    cache.written(2)  # a key not held: nothing to mark
    cache.put(2, 6.0)
    assert cache.get(2, 6.5) and cache.stale_hits == 2


def _batch_means(samples: list[float], batches: int = 20) -> tuple[float, float]:
    """The mean of ``samples`` and its standard error from ``batches`` batch means."""
    size = len(samples) // batches
    means = [math.fsum(samples[i * size : (i + 1) * size]) / size for i in range(batches)]
    mean = math.fsum(means) / batches
    spread = math.sqrt(math.fsum((m - mean) ** 2 for m in means) / (batches - 1))
    return mean, spread / math.sqrt(batches)


def test_stale_hits_of_a_ttl_cache_match_renewal_theory():
    """One key read at rate λ and written at rate μ (Poisson), kept T after each fill, writes
    not dropping it. A cycle is one miss, then λT hits on average; a hit t after the fill is
    stale if a write came in (0, t): λ ∫₀ᵀ (1 − e^{−μt}) dt = λ (T − (1 − e^{−μT}) / μ) of them.
    Hit ratio λT / (1 + λT); stale share of the hits 1 − (1 − e^{−μT}) / (μT). Within 4
    standard errors (batch means over the cycles)."""
    read_rate, write_rate, ttl = 10.0, 0.5, 2.0
    rng = Random(3)
    cache = KeyCache(1, ttl, "lru", "expire")
    now, hits, stale = 0.0, [0], [0]  # cumulative counts at each cycle's end
    while len(hits) <= 20_000:
        now += rng.expovariate(read_rate + write_rate)
        if rng.random() < write_rate / (read_rate + write_rate):
            cache.written(0)
        elif not cache.get(0, now):  # a miss closes a cycle (the first opens one)
            if cache.misses > 1:
                hits.append(cache.hits)
                stale.append(cache.stale_hits)
            cache.put(0, now)
    per_cycle_hits, hits_error = _batch_means([float(b - a) for a, b in itertools.pairwise(hits)])
    per_cycle_stale, stale_error = _batch_means(
        [float(b - a) for a, b in itertools.pairwise(stale)]
    )
    assert per_cycle_hits == pytest.approx(read_rate * ttl, abs=4 * hits_error)
    theory_stale = read_rate * (ttl - (1 - math.exp(-write_rate * ttl)) / write_rate)
    assert per_cycle_stale == pytest.approx(theory_stale, abs=4 * stale_error)
    share = 1 - (1 - math.exp(-write_rate * ttl)) / (write_rate * ttl)
    assert cache.stale_hits / cache.hits == pytest.approx(share, rel=0.03)
    assert cache.hit_ratio() == pytest.approx(read_rate * ttl / (1 + read_rate * ttl), abs=0.005)


def test_a_new_ttl_applies_to_copies_put_from_then_on():
    cache = KeyCache(10, 60.0, "lru")
    cache.put(1, 0.0)
    cache.set_ttl(2.0)
    cache.put(2, 0.0)
    assert cache.get(1, 10.0) and not cache.get(2, 10.0)
    with pytest.raises(ValueError, match="TTL"):
        cache.set_ttl(0.0)


@pytest.mark.parametrize("after", ["fifo", "lfu", "lru"])
def test_a_new_eviction_policy_keeps_the_keys_as_if_just_put(after: Eviction):
    """Put 1, 2, 3 and read 1 twice: LRU would now drop 2. After a switch the held keys
    count as put afresh, oldest put first (an LFU count starts again at one), so 1 goes."""
    cache = KeyCache(3, None, "lru")
    for key in (1, 2, 3):
        cache.put(key, 0.0)
    cache.get(1, 0.0)
    cache.get(1, 0.0)
    cache.set_eviction(after)
    assert len(cache) == 3
    cache.put(4, 0.0)
    assert _held(cache, [1, 2, 3, 4]) == {2, 3, 4}
