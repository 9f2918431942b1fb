"""A simulation the user plays with: pause, resume, speed and reset around the engine.

The controls are values of the action vocabulary (``architect.sim.commands.Control``).

Pure Python (no Django), so it is tested on its own. ``step`` is called with the
wall-clock time that passed; the session also measures how much simulated time it
actually achieved per wall second, so the page can say when the machine cannot keep up,
and how long the engine itself took for each step, so the page can say why: the
traffic is heavy (the engine alone needs most of the real time) or the machine is busy
(the engine needs little of it, yet the steps come late).

A hidden page (``PageHidden``) holds simulated time apart from the learner's own pause.
``budget``, when the consumer sets it, is the CPU time one step may take (the
connection's fair share, ``architect.sandbox.caps``): the session measures what a
simulated second costs (CPU time of the stepping thread) and advances no further than
the budget buys, so an expensive simulation (high traffic × speed, many nodes) runs
slower than real time instead of taking the time of everyone else's.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from architect.sim.commands import (
    SPEEDS,
    Command,
    Control,
    PageHidden,
    PageShown,
    Pause,
    Reset,
    Resume,
    SetSpeed,
)
from architect.sim.model.topology import Topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Snapshot

RATIO_WINDOW_S = 3.0
MIN_STEP_S = 0.001  # a step over budget still moves simulated time by this much
COST_WEIGHT = 0.5  # how much the newest step counts in the cost per simulated second
# The CPU time of a step is read after every change, at every step held to its budget
# (the estimate decides how far that step goes) and otherwise once in this many steps:
# reading a thread's CPU clock is a system call (20 µs and a chance to be descheduled on
# a sandboxed, busy machine, ~20 % of a web process's samples when read twice a step), and
# an uncapped step's estimate only chooses where it runs. Measured (4 × 300 capped steps
# at 3 ms with scripted traffic steps): once in five steps 10.7–11.7 % of the CPU over
# budget, also after each change the simulation made itself 10.6 %, every capped step
# 7.6–9.1 %; ~1 µs of CPU per read here, 40 µs a capped step at worst, which takes ≥ 0.4 ms.
MEASURE_EVERY = 5
# Behind, and the engine alone needs at least this share of real time at the speed asked:
# the traffic is the cause. Below it the time went elsewhere (other processes, other
# sessions): the machine is the cause.
HEAVY_SHARE = 0.8
Drawn = TypeVar("Drawn")
# The measured speed means something only over this much wall time (the first ticks of a
# connection come unevenly while the page loads).
MIN_RATIO_WALL_S = 1.0


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """What the page shows beyond the snapshot: the session's clock (the learner's other
    choices are the snapshot's ``settings``)."""

    paused: bool
    speed: int
    ratio: float | None  # achieved simulated seconds per wall second; None until measured
    # The share of real time the engine alone needs at this speed (its wall seconds per
    # simulated second × speed); None until measured.
    engine_share: float | None = None
    capped: bool = False  # the last step was held back by the connection's CPU budget

    @property
    def behind(self) -> bool:
        """True when the simulation runs visibly slower than asked."""
        return not self.paused and self.ratio is not None and self.ratio < 0.95 * self.speed

    @property
    def cause(self) -> str:
        """Why it is behind: "share" (held to its share of the server's CPU, ``caps``),
        "traffic" (the engine's own cost per simulated second is too high), "machine" (the
        engine needs little, the process is slow anyway), or ""."""
        if not self.behind:
            return ""
        if self.capped:
            return "share"
        heavy = self.engine_share is None or self.engine_share >= HEAVY_SHARE
        return "traffic" if heavy else "machine"


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
        self.hidden = False
        self.speed = 1
        self.budget: float | None = None  # CPU seconds the next step may take; None: any
        self.cpu_clock: Callable[[], float] = time.thread_time
        self.cost: float | None = None  # CPU seconds per simulated second, measured
        self.capped = False
        self._measured = False  # ``cost`` measured since the last change
        self._unmeasured = 0  # steps since the cost was last measured
        # (wall time at the end of a step, simulated seconds, wall seconds inside the engine)
        self._samples: deque[tuple[float, float, float]] = deque()
        self.sim = self._build()

    def _build(self) -> Simulation:
        self._samples.clear()
        return Simulation(self._topology_factory(), seed=self._seed)

    @property
    def seed(self) -> int:
        return self._seed

    def start_from(self, topology: Topology, seed: int | None = None) -> None:
        """Go on from ``topology`` at time 0 (a kept architecture, a shared design with its
        ``seed``); ``Reset`` still goes back to the first topology, with that seed."""
        if seed is not None:
            self._seed = seed
        self.sim = Simulation(topology, seed=self._seed)
        self._samples.clear()
        self._measured = False

    def apply(self, command: Command | Control) -> None:
        """Carry out a command; engine commands may raise ``CommandError``."""
        if isinstance(command, Pause):
            self.paused = True
        elif isinstance(command, PageHidden | PageShown):
            self.hidden = isinstance(command, PageHidden)
            self._samples.clear()
        elif isinstance(command, Resume):
            self.paused = False
            self._samples.clear()
        elif isinstance(command, SetSpeed):
            if command.speed not in SPEEDS:
                raise ValueError(command.speed)
            self.speed = command.speed
            self._samples.clear()
        elif isinstance(command, Reset):
            self.sim = self._build()  # the measured cost carries over: the next step adapts it
            self._measured = False
        else:
            self.sim.apply(command)
            self._measured = False  # the architecture or traffic may cost more now

    def step(self, wall_dt: float) -> Snapshot:
        """Advance ``wall_dt * speed`` simulated seconds (less when over ``budget``), or
        nothing while paused or hidden."""
        if not self.running or wall_dt <= 0:
            return self.sim.snapshot()
        wanted = wall_dt * self.speed
        sim_dt = self._affordable(wanted)
        self.capped = sim_dt < wanted
        started = self._clock()
        if self._measured and not self.capped and self._unmeasured < MEASURE_EVERY - 1:
            snapshot = self.sim.advance(sim_dt)
            self._unmeasured += 1
        else:
            cpu_started = self.cpu_clock()
            snapshot = self.sim.advance(sim_dt)
            self._measure(self.cpu_clock() - cpu_started, sim_dt)
        self._record(sim_dt, started)
        return snapshot

    def close(self) -> None:
        """Nothing to give back (a ``workers.RemoteSession`` tells its worker)."""

    @property
    def running(self) -> bool:
        """True when simulated time moves at each step (neither paused nor hidden)."""
        return not self.paused and not self.hidden

    def expected_cpu(self, wall_dt: float) -> float | None:
        """CPU seconds the next step should take, from the cost measured since the last
        change (None when it has not been measured: a new or changed simulation)."""
        if not self.running or wall_dt <= 0:
            return 0.0
        if not self._measured or self.cost is None:
            return None
        return self.cost * self._affordable(wall_dt * self.speed)

    def _affordable(self, wanted: float) -> float:
        """The simulated seconds the budget buys at the measured cost, at most ``wanted``."""
        if self.budget is None or not self.cost:
            return wanted
        return max(MIN_STEP_S, min(wanted, self.budget / self.cost))

    def _measure(self, cpu_s: float, sim_dt: float) -> None:
        self._measured = True
        self._unmeasured = 0
        latest = max(0.0, cpu_s) / sim_dt
        self.cost = (
            latest if self.cost is None else (COST_WEIGHT * latest + (1 - COST_WEIGHT) * self.cost)
        )

    def snapshot(self) -> Snapshot:
        return self.sim.snapshot()

    def _record(self, sim_dt: float, started: float) -> None:
        now = self._clock()
        self._samples.append((now, sim_dt, now - started))
        while self._samples and now - self._samples[0][0] > RATIO_WINDOW_S:
            self._samples.popleft()

    @property
    def ratio(self) -> float | None:
        """Simulated seconds achieved per wall second over the last few seconds."""
        if len(self._samples) < 2:
            return None
        wall = self._samples[-1][0] - self._samples[0][0]
        if wall < MIN_RATIO_WALL_S:
            return None
        simulated = sum(dt for _, dt, _ in list(self._samples)[1:])
        return simulated / wall

    @property
    def engine_share(self) -> float | None:
        """The share of real time the engine alone needs at this speed: its wall seconds
        per simulated second (over the same window as ``ratio``) times the speed."""
        simulated = sum(dt for _, dt, _ in self._samples)
        if len(self._samples) < 2 or simulated <= 0:
            return None
        return sum(cost for _, _, cost in self._samples) / simulated * self.speed

    @property
    def status(self) -> LiveStatus:
        return LiveStatus(
            paused=self.paused,
            speed=self.speed,
            ratio=self.ratio,
            engine_share=self.engine_share,
            capped=self.capped,
        )


async def step_where_cheapest(
    session: LiveSession,
    wall_dt: float,
    step: Callable[[float], Drawn],
    *,
    inline_up_to: float,
) -> Drawn:
    """``step(wall_dt)``, which advances ``session``: on the event loop when its measured
    cost says it takes at most ``inline_up_to`` CPU seconds (a hop to a thread and back
    costs more than such a step), else in a thread (a new or changed simulation, whose
    cost is not measured yet, too). The sandbox, a room's runner and a student's copy
    all step through here."""
    expected = session.expected_cpu(wall_dt)
    if expected is not None and expected <= inline_up_to:
        return step(wall_dt)
    return await asyncio.to_thread(step, wall_dt)
