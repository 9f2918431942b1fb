"""Run order for the whole suite (a plugin: pyproject.toml's addopts): the longest tests first.

pytest-xdist's ``worksteal`` hands each worker half the tests in order, and a worker that
runs out steals the tail of the other's queue. With the longest tests first (each 35-145 s
in CI, against well under a second for most), the last tests of the pass are short ones,
so neither core waits at the end for a long test started late. Only the order changes.
"""

from __future__ import annotations

import pytest

# The tests that took 35 s or more in CI (``PYTEST_ADDOPTS=--durations=25 make test``).
LONGEST_FIRST = (
    "tests/lessons/test_checker.py::test_every_shipped_stage_and_experiment",
    "tests/sim/test_queueing_theory.py::",
    "tests/sim/test_loader_fuzz.py::",
    "tests/sim/test_aggregate.py::",
    "tests/sandbox/test_consumer_fuzz.py::",
    "tests/sim/test_autoscaling.py::",
)


def _rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order within each group stays as collected
