"""How long a request stays at one station in aggregate mode, from the station's state.

The state is the arrival rate ``lam`` the fluid model routes to the station, its
``workers`` c and service rate ``mu`` per worker, and the fluid backlog ``backlog``
(requests queued beyond what the servers keep up with: non-zero only while demand
exceeds capacity or drains after it did).

- With a backlog, an arrival waits for it to drain ahead of it, ``backlog / (c mu)``,
  then is served.
- Without one, the station is in its stationary M/M/c regime: an arrival waits with
  the Erlang C probability, for an exponential time of rate ``c mu - lam``, then is
  served (Exp(mu)). Constant service times take the exact wait of the E_m/D/1 queue
  the station reduces to (``constant``) and are served in exactly 1 / mu.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from architect.sim.flows.constant import constant_wait

RHO_MAX = 0.98  # the stationary formulas diverge at 1; above this the fluid backlog takes over


@lru_cache(maxsize=4096)
def erlang_c(c: int, offered: float) -> float:
    """P(wait) for an arrival to an M/M/c queue with offered load a = lam / mu < c.

    Through the Erlang B recursion B_k = a B_{k-1} / (k + a B_{k-1}), stable for any c,
    then C = c B / (c - a (1 - B)).
    """
    if offered <= 0.0:
        return 0.0
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = offered * blocking / (k + offered * blocking)
    return c * blocking / (c - offered * (1.0 - blocking))


@dataclass(frozen=True, slots=True)
class Sojourn:
    """One station's sojourn-time distribution (seconds) at one moment."""

    fixed_s: float  # the fluid backlog ahead, drained at full capacity
    p_wait: float  # chance of a stationary queueing wait
    wait_rate: float  # its exponential rate, per second
    mu: float  # service rate of one worker, per second
    exponential: bool  # exponential service (else constant 1 / mu)

    @property
    def mean_s(self) -> float:
        wait = self.p_wait / self.wait_rate if self.p_wait > 0.0 else 0.0
        return self.fixed_s + wait + 1.0 / self.mu

    def sample(self, rng: random.Random) -> float:
        t = self.fixed_s
        if self.p_wait > 0.0 and rng.random() < self.p_wait:
            t += rng.expovariate(self.wait_rate)
        return t + (rng.expovariate(self.mu) if self.exponential else 1.0 / self.mu)


def erlang_arrivals_sigma(phases: int, lam: float, capacity: float) -> float:
    """GI/M/c with Erlang-k interarrivals: the root sigma of
    sigma = (k lam / (k lam + c mu (1 - sigma)))^k.

    A load balancer sending to k backends in turn gives each Erlang-k gaps. Given
    that an arrival waits, it waits Exp(c mu (1 - sigma)); for c = 1 it waits with
    probability sigma (for c > 1 we take Erlang C × sigma / rho, exact at c = 1).
    """
    low, high = 1e-12, 1.0 - 1e-12
    for _ in range(60):
        middle = (low + high) / 2.0
        if (phases * lam / (phases * lam + capacity * (1.0 - middle))) ** phases > middle:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def sojourn(
    lam: float, workers: int, service_ms: float, exponential: bool, backlog: float, phases: int = 1
) -> Sojourn:
    """The sojourn distribution of an arrival now (see the module docstring).

    ``phases`` > 1: arrivals come in turn from a round-robin split over that many
    backends (Erlang-k gaps, less bursty than Poisson): see ``erlang_arrivals_sigma``.
    """
    mu = 1000.0 / service_ms
    capacity = workers * mu
    if workers <= 0:
        return Sojourn(0.0, 0.0, 1.0, mu, exponential)
    if backlog >= 0.5:  # at least half a request queued beyond the servers: saturated
        return Sojourn(backlog / capacity, 0.0, 1.0, mu, exponential)
    rho = min(lam / capacity, RHO_MAX)
    if not exponential:  # E_m/D/1 with m = workers × phases; rho to 0.1 % for the cache
        p_wait, decay = constant_wait(workers * max(phases, 1), round(rho, 3))
        return Sojourn(0.0, p_wait, decay * mu, mu, exponential)
    offered = rho * workers
    p_wait = erlang_c(workers, round(offered, 6))
    rate = capacity - offered * mu
    if phases > 1 and offered > 0.0:
        sigma = erlang_arrivals_sigma(phases, rho * capacity, capacity)
        return Sojourn(0.0, p_wait * sigma / rho, capacity * (1.0 - sigma), mu, exponential)
    return Sojourn(0.0, p_wait, rate, mu, exponential)


def stationary_queued(s: Sojourn, lam: float) -> float:
    """Requests waiting in the stationary regime, by Little's law: lam × mean wait."""
    return lam * s.p_wait / s.wait_rate if s.p_wait > 0.0 else 0.0
