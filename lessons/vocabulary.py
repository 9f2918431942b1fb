"""The action vocabulary (shared contract §1) as the lesson loader uses it.

``architect.sim.actions`` owns the vocabulary; ``parse(data, path)`` returns a
command or raises ``ActionProblem`` listing each problem (``architect.sim`` problems,
with their translatable reasons).
"""

from __future__ import annotations

from architect.sim import actions
from architect.sim.commands import Command
from architect.sim.model.problems import Problem, TopologyError

ACTIONS: tuple[str, ...] = tuple(actions.ACTIONS)


class ActionProblem(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def parse(data: object, path: str) -> Command:
    """One action mapping → a command; ``ActionProblem`` lists what is wrong."""
    try:
        return actions.parse_action(data, path)
    except TopologyError as error:
        raise ActionProblem(list(error.problems)) from None
