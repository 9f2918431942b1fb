"""A room's own state as plain data: what the owner decides and every screen shows.

``Control`` is what the instructor chose (stage, lock, poll, try-it-yourselves,
spotlight, ended); it is saved in ``Room.control`` as it changes and travels in every
state message. ``goal_status_data`` / ``goal_status_from_data`` carry the shared run's
``GoalStatus`` the same way. Pure Python: no Django, so the runner and tests share it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from lessons.goals import ConditionStatus, GoalStatus, Judged

MAX_ROUNDS = 2  # a poll, then one revote shown beside it


@dataclass(frozen=True)
class Poll:
    """The poll on the stage ``stage``: ``round`` 0 before it was ever opened."""

    stage: int = 0
    round: int = 0
    open: bool = False
    revealed: bool = False


@dataclass(frozen=True)
class Control:
    stage: int = 0
    locked: bool = True
    poll: Poll = field(default_factory=Poll)
    # "Try it yourselves": ``trying`` while copies are out; ``trial`` counts hand-outs (a
    # new one restarts every copy); ``topology`` is the room's architecture at that moment
    # (``dump_topology``), each copy's start.
    trying: bool = False
    trial: int = 0
    topology: dict[str, Any] | None = None
    spotlight: int | None = None  # a participant's id, shown anonymised on the projector
    ended: bool = False

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: object) -> Control:
        """The control saved as ``data`` (anything unreadable: the defaults)."""
        if not isinstance(data, dict):
            return cls()
        poll = data.get("poll") if isinstance(data.get("poll"), dict) else {}
        assert isinstance(poll, dict)
        topology = data.get("topology")
        return cls(
            stage=_int(data.get("stage")),
            locked=bool(data.get("locked", True)),
            poll=Poll(
                stage=_int(poll.get("stage")),
                round=min(_int(poll.get("round")), MAX_ROUNDS),
                open=bool(poll.get("open")),
                revealed=bool(poll.get("revealed")),
            ),
            trying=bool(data.get("trying")),
            trial=_int(data.get("trial")),
            topology=topology if isinstance(topology, dict) else None,
            spotlight=data["spotlight"] if isinstance(data.get("spotlight"), int) else None,
            ended=bool(data.get("ended")),
        )

    def on_stage(self, stage: int) -> Control:
        """Move to ``stage``: its poll starts unopened, copies and spotlight are put away."""
        return replace(
            self, stage=stage, poll=Poll(stage=stage), trying=False, topology=None, spotlight=None
        )


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def goal_status_data(status: GoalStatus | None) -> dict[str, Any] | None:
    return None if status is None else asdict(status)


def goal_status_from_data(data: object) -> GoalStatus | None:
    if not isinstance(data, dict):
        return None
    conditions = tuple(
        ConditionStatus(**{**c, "record": tuple(Judged(**j) for j in c.get("record") or ())})
        for c in data.get("conditions") or ()
    )
    return GoalStatus(**{**data, "conditions": conditions})
