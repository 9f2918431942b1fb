"""The action vocabulary (shared contract §1) as the lesson loader uses it.

``architect.sim.actions`` owns the vocabulary; ``parse(data, path)`` returns a
command or raises ``ActionProblem`` listing each problem as (path, reason).
"""

from __future__ import annotations

from architect.sim import actions
from architect.sim.commands import Command
from architect.sim.topology import TopologyError

ACTIONS: tuple[str, ...] = tuple(actions.ACTIONS)


class ActionProblem(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


def parse(data: object, path: str) -> Command:
    """One action mapping → a command; ``ActionProblem`` lists what is wrong."""
    try:
        return actions.parse_action(data, path)
    except TopologyError as error:
        raise ActionProblem([(p.path, p.message) for p in error.problems]) from None
