"""Queueing theory as the textbooks write it: the yardstick for the simulation tests.

Written from the books, not from ``architect.sim`` (whose aggregate mode uses some of
the same results, computed its own way in ``sim/sojourn.py``): Erlang C here is the
textbook sum, not the engine's Erlang B recursion, and the G/M/1 root is found by the
textbook's successive substitution, not the engine's bisection. ``birth_death`` solves
the M/M/c chain numerically, so the closed forms are themselves checked by a route that
shares nothing with them (tests/sim/test_queueing_theory.py).

Notation: ``lam`` arrivals per second, ``mu`` services per second per server, ``c``
servers, offered load a = lam / mu, utilisation rho = a / c < 1. Times in seconds.

- M/M/1: the sojourn T is exponential with rate mu - lam (Kleinrock, Queueing Systems
  vol. 1, 1975, §3.2; Gross & Harris, Fundamentals of Queueing Theory, §2.2).
- M/M/c: Erlang's C formula for the chance of waiting, C = (a^c/c!)(c/(c-a)) /
  (sum_{k<c} a^k/k! + (a^c/c!)(c/(c-a))); a wait, given there is one, is exponential
  with rate c mu - lam; W = C/(c mu - lam) + 1/mu (Kleinrock §3.5; Gross & Harris §2.3).
- G/M/1: an arrival finds n in the system with probability (1 - sigma) sigma^n, where
  sigma in (0, 1) is the root of sigma = A*(mu - mu sigma) and A* is the Laplace
  transform of the interarrival time; so the sojourn is exponential with rate
  mu (1 - sigma) (Kleinrock §6.4; Gross & Harris §6.3). For Erlang-k gaps of mean
  1/lam, A*(s) = (k lam / (k lam + s))^k.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def mm1_sojourn_mean(lam: float, mu: float) -> float:
    """W = 1 / (mu - lam)."""
    return 1.0 / (mu - lam)


def mm1_sojourn_quantile(lam: float, mu: float, q: float) -> float:
    """t_q = -ln(1 - q) / (mu - lam): the q-quantile of Exp(mu - lam)."""
    return -math.log(1.0 - q) / (mu - lam)


def erlang_c(c: int, lam: float, mu: float) -> float:
    """The chance that an arrival to an M/M/c queue waits (Erlang's C formula)."""
    a = lam / mu
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)


def mmc_sojourn_mean(c: int, lam: float, mu: float) -> float:
    """W = C / (c mu - lam) + 1 / mu."""
    return erlang_c(c, lam, mu) / (c * mu - lam) + 1.0 / mu


def mmc_sojourn_tail(c: int, lam: float, mu: float, t: float) -> float:
    """P(T > t) for the M/M/c sojourn T = Wq + S, S ~ Exp(mu) independent of Wq.

    P(Wq > u) = C e^{-d u} with d = c mu - lam; conditioning on S = s,
    P(T > t) = e^{-mu t} + int_0^t mu e^{-mu s} C e^{-d (t - s)} ds
             = e^{-mu t} [1 + C mu / (d - mu) (1 - e^{-(d - mu) t})]      (d != mu),
             = e^{-mu t} [1 + C mu t]                                      (d == mu).
    """
    waiting = erlang_c(c, lam, mu)
    gap = c * mu - lam - mu
    if abs(gap) < 1e-12 * mu:
        return math.exp(-mu * t) * (1.0 + waiting * mu * t)
    return math.exp(-mu * t) * (1.0 + waiting * mu / gap * (1.0 - math.exp(-gap * t)))


def mmc_sojourn_quantile(c: int, lam: float, mu: float, q: float) -> float:
    """The t where P(T > t) = 1 - q (the tail falls monotonically in t)."""
    return bisect(lambda t: mmc_sojourn_tail(c, lam, mu, t) - (1.0 - q), 0.0, 1e3 / mu)


def erlang_interarrivals(k: int, lam: float) -> Callable[[float], float]:
    """A*(s) for Erlang-k gaps of mean 1 / lam (k phases of rate k lam)."""
    return lambda s: (k * lam / (k * lam + s)) ** k


def gm1_sigma(interarrivals: Callable[[float], float], mu: float) -> float:
    """The root sigma in (0, 1) of sigma = A*(mu - mu sigma), by successive substitution
    from 0 (the iterates rise to the smallest root, which is sigma when rho < 1)."""
    sigma = 0.0
    for _ in range(100_000):
        following = interarrivals(mu - mu * sigma)
        if abs(following - sigma) < 1e-15:
            return following
        sigma = following
    raise ArithmeticError("successive substitution did not settle")


def ek_m1_sojourn_mean(k: int, lam: float, mu: float) -> float:
    """E_k/M/1: W = 1 / (mu (1 - sigma))."""
    return 1.0 / (mu * (1.0 - gm1_sigma(erlang_interarrivals(k, lam), mu)))


def birth_death(lam: float, mu: float, c: int, states: int = 20_000) -> tuple[float, float]:
    """The M/M/c chain solved numerically, truncated at ``states``: (the chance that an
    arrival waits, the mean number in the system). By PASTA an arrival sees the
    time-average state; by Little's law W = L / lam."""
    weights = [1.0]
    for n in range(1, states):
        weights.append(weights[-1] * lam / (min(n, c) * mu))
    total = math.fsum(weights)
    waiting = math.fsum(weights[c:]) / total
    number = math.fsum(n * w for n, w in enumerate(weights)) / total
    return waiting, number


def bisect(f: Callable[[float], float], low: float, high: float) -> float:
    """A root of f between low and high, where f(low) > 0 > f(high)."""
    assert f(low) > 0 > f(high)
    for _ in range(200):
        middle = (low + high) / 2.0
        if f(middle) > 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0
