"""Aggregate mode's flow graph: flows of requests between stations, and where they end.

A ``Flow`` is one class of request at one station (``StationFlows`` groups a station's
flows and its measures over a tick): its backlog, and the shares of its departures
that go to the next flows or end in a ``Sink`` (served, failed, a job done); a ``Fan``
is a cross-shard read that goes to every shard. ``architect.sim.flows.routes`` builds
the graph from the simulation's wiring; ``architect.sim.flows.aggregate`` steps it.
"""

from __future__ import annotations

from typing import Union

from architect.sim.blocks import BLOCKS
from architect.sim.engine.stations import Station
from architect.sim.flows.sojourn import Sojourn


class Sink:
    """Where flows end: ``amount`` accumulates until the model reads it."""

    __slots__ = ("inflow", "job", "ok", "weight")

    def __init__(self, *, weight: float = 1.0, ok: bool, job: bool = False) -> None:
        self.inflow = 0.0
        self.weight = weight  # a part of a cross-shard read counts 1/parts
        self.ok = ok
        self.job = job


class Fan:
    """A cross-shard read: one part to every shard; done when the slowest is."""

    __slots__ = ("shards",)

    def __init__(self, shards: list[list[tuple[float, Flow]]]) -> None:
        self.shards = shards


Target = Union["Flow", Sink, Fan]


class Flow:
    """One class of request at one station: its backlog and where its departures go."""

    __slots__ = ("backlog", "choices", "edges", "fail", "group", "inflow", "key", "spawn")

    def __init__(self, key: tuple[str, str], group: StationFlows, fail: Sink) -> None:
        self.key = key
        self.group = group
        self.edges: list[tuple[float, Flow | Sink]] = []  # every share the fluid step routes
        self.choices: list[tuple[float, Target]] = []  # cumulative, for sampling one request's path
        self.spawn: Flow | Sink | None = None  # a job published by each departure
        self.fail = fail
        self.backlog = 0.0
        self.inflow = 0.0


class StationFlows:
    """A station's flows and its measures over the current tick."""

    __slots__ = (
        "arrived",
        "backlog",
        "departed",
        "dropped",
        "durable",
        "flows",
        "in_service",
        "loss",
        "per_worker_step",
        "phases",
        "queued",
        "service_s",
        "sojourn",
        "station",
    )

    def __init__(self, station: Station, step_s: float) -> None:
        self.station = station
        self.flows: list[Flow] = []
        self.service_s = station.service_ms / 1000.0
        self.per_worker_step = step_s / self.service_s
        self.durable = BLOCKS[station.kind].durable  # keeps its queue while down
        self.phases = 1  # > 1: fed in turn by a load balancer over that many backends
        self.arrived = self.departed = self.dropped = self.backlog = 0.0
        self.sojourn: Sojourn | None = None
        self.loss = 0.0  # 1 while the station is down (requests through it fail)
        self.in_service = 0.0
        self.queued = 0.0


class Graph:
    """Everything one fluid step and one sampled path need."""

    def __init__(self) -> None:
        self.served = Sink(ok=True)
        self.failed = Sink(ok=False)
        self.job_done = Sink(ok=True, job=True)
        self.job_failed = Sink(ok=False, job=True)
        self.part_served = Sink(ok=True)
        self.part_failed = Sink(ok=False)
        self.entries: list[tuple[float, Flow | Sink]] = []
        self.entry_choices: list[tuple[float, Target]] = []
        self.stations: list[StationFlows] = []
        self.flows: dict[tuple[str, str], Flow] = {}
        self.hit_ratios: dict[str, float] = {}
        self.job_entry: Flow | None = None

    @property
    def sinks(self) -> tuple[Sink, ...]:
        return (
            self.served,
            self.failed,
            self.job_done,
            self.job_failed,
            self.part_served,
            self.part_failed,
        )
