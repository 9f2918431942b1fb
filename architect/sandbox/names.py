"""Names the learner reads for the engine's identifiers: algorithms, strategies, regions."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

ALGORITHMS: dict[str, Callable[[], str]] = {
    "round_robin": lambda: _("round robin (each server in turn)"),
    "least_connections": lambda: _("least connections (the least busy server)"),
    "sticky": lambda: _("sticky sessions (each user stays on one server)"),
}
STRATEGIES: dict[str, Callable[[], str]] = {
    "modulo": lambda: _("modulo"),
    "consistent_hash": lambda: _("consistent hashing"),
}

# The sandbox's regions (architect.sim.model.limits.REGIONS), by name.
REGIONS: dict[str, Callable[[], str]] = {
    "us-east": lambda: _("US East"),
    "europe": lambda: _("Europe"),
    "asia": lambda: _("Asia"),
}


def region_name(name: str) -> str:
    """A region (and the data center named after it) in words; another name as it is."""
    label = REGIONS.get(name)
    return label() if label else name


def algorithm_name(name: str) -> str:
    """A load-balancing algorithm in words; an unknown name as it is."""
    label = ALGORITHMS.get(name)
    return label() if label else name


def strategy_name(name: str) -> str:
    """A sharding strategy in words; an unknown name as it is."""
    label = STRATEGIES.get(name)
    return label() if label else name
