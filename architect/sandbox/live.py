"""A simulation the user plays with: pause, resume, speed and reset around the engine.

The controls are values of the action vocabulary (``architect.sim.commands.Control``).

Pure Python (no Django), so it is tested on its own. ``step`` is called with the
wall-clock time that passed; the session also measures how much simulated time it
actually achieved per wall second, so the page can say when the machine cannot keep up.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from architect.sim.commands import SPEEDS, Command, Control, Pause, Reset, Resume, SetSpeed
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Snapshot

RATIO_WINDOW_S = 3.0


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """What the page shows beyond the snapshot: the session's clock (the learner's other
    choices are the snapshot's ``settings``)."""

    paused: bool
    speed: int
    ratio: float | None  # achieved simulated seconds per wall second; None until measured

    @property
    def behind(self) -> bool:
        """True when the simulation runs visibly slower than asked."""
        return not self.paused and self.ratio is not None and self.ratio < 0.95 * self.speed


class LiveSession:
    """Owns one ``Simulation`` and the controls a user has over its clock."""

    def __init__(
        self,
        topology_factory: Callable[[], Any],
        seed: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._topology_factory = topology_factory
        self._seed = seed
        self._clock = clock
        self.paused = False
        self.speed = 1
        self._samples: deque[tuple[float, float]] = deque()  # (wall time, sim seconds)
        self.sim = self._build()

    def _build(self) -> Simulation:
        self._samples.clear()
        return Simulation(self._topology_factory(), seed=self._seed)

    def apply(self, command: Command | Control) -> None:
        """Carry out a command; engine commands may raise ``CommandError``."""
        if isinstance(command, Pause):
            self.paused = True
        elif isinstance(command, Resume):
            self.paused = False
            self._samples.clear()
        elif isinstance(command, SetSpeed):
            if command.speed not in SPEEDS:
                raise ValueError(command.speed)
            self.speed = command.speed
            self._samples.clear()
        elif isinstance(command, Reset):
            self.sim = self._build()
        else:
            self.sim.apply(command)

    def step(self, wall_dt: float) -> Snapshot:
        """Advance ``wall_dt * speed`` simulated seconds, or nothing while paused."""
        if self.paused or wall_dt <= 0:
            return self.sim.snapshot()
        sim_dt = wall_dt * self.speed
        snapshot = self.sim.advance(sim_dt)
        self._record(sim_dt)
        return snapshot

    def snapshot(self) -> Snapshot:
        return self.sim.snapshot()

    def _record(self, sim_dt: float) -> None:
        now = self._clock()
        self._samples.append((now, sim_dt))
        while self._samples and now - self._samples[0][0] > RATIO_WINDOW_S:
            self._samples.popleft()

    @property
    def ratio(self) -> float | None:
        """Simulated seconds achieved per wall second over the last few seconds."""
        if len(self._samples) < 2:
            return None
        wall = self._samples[-1][0] - self._samples[0][0]
        if wall <= 0:
            return None
        simulated = sum(dt for _, dt in list(self._samples)[1:])
        return simulated / wall

    @property
    def status(self) -> LiveStatus:
        return LiveStatus(paused=self.paused, speed=self.speed, ratio=self.ratio)
