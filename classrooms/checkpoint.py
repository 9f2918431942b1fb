"""A stage's experiment as plain data and back: what a room saves every few seconds and
what each student's copy starts from.

``RoomExperiment`` is the lessons app's ``Experiment`` (predict → explore → run → done)
without the prediction (the room asks it as a poll) and with ``dump``/``restore``: the
architecture now (``dump_topology(sim.current_topology())``: nodes, links, traffic at its
current rate, policies), the clock's settings (paused, speed), the run's phase and count,
the traffic fields the instructor set, and the last goal status. Simulated time starts
again from 0 on a restore: a run that was going on starts again with the same
architecture. The shape is the one a sandbox or stage session would need too
(branch ``hardening-live`` plans ``architect/sandbox/checkpoint.py``): plain JSON, a
``version``.
"""

from __future__ import annotations

from typing import Any

from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.topology import Topology
from classrooms.state import goal_status_data, goal_status_from_data
from lessons.experiment import Experiment, Phase
from lessons.goals import GoalTracker

VERSION = 1


class RoomExperiment(Experiment):
    """A stage's experiment, started without its question; ``topology``: start from this
    architecture instead of the stage's (a student's copy of the room)."""

    def __init__(self, data: dict[str, Any], *, topology: dict[str, Any] | None = None) -> None:
        super().__init__(data)
        self.predict(None)
        self.skipped = False
        if topology is not None:
            self.session = self._session(load_topology(topology))

    def dump(self) -> dict[str, Any]:
        session = self.session
        return {
            "version": VERSION,
            "topology": dump_topology(session.sim.current_topology()),
            "paused": session.paused,
            "speed": session.speed,
            "phase": self.phase.value,
            "runs": self.runs,
            "traffic": dict(self.learner_traffic),
            "result": goal_status_data(self.result),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Back to a state ``dump`` saved (``ValueError`` or ``TopologyError`` when the data
        is not one: the caller starts the stage afresh)."""
        if data.get("version") != VERSION:
            raise ValueError(f"checkpoint version {data.get('version')!r}")
        topology: Topology = load_topology(data["topology"])
        self.learner_traffic.clear()
        self.learner_traffic.update({k: float(v) for k, v in dict(data["traffic"]).items()})
        self.session = self._session(topology)
        self.runs = int(data["runs"])
        phase = Phase(data["phase"])
        if phase == Phase.RUNNING:
            self.runs -= 1
            self.run()  # the run starts again, from the architecture it had
        elif phase == Phase.DONE:
            self.phase = Phase.DONE
            self.result = goal_status_from_data(data.get("result"))
            self.tracker = GoalTracker(self.data.get("goal") or {}, duration_s=self.duration_s)
        self.session.paused = bool(data["paused"]) or phase == Phase.DONE
        self.session.speed = int(data["speed"])
