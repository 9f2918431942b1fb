"""Requests arriving and ending: the engine's hot path.

Arrivals are a Poisson process of rate ``rps``; each draws what it asks for
(a static asset, a read, a write, a write that publishes a job) and which key,
from the traffic mix. DNS sends it into a data center's journey; the journey's
last step calls ``complete`` (its latency goes into the current bucket) or a
station calls ``fail``. ``Arrivals`` is mixed into ``Engine``, whose state it reads.
"""

from __future__ import annotations

import random
import zlib
from heapq import heappush
from math import log as _log
from typing import NamedTuple, Protocol

from architect.sim.engine.geo import GeoDns
from architect.sim.engine.journey import JOB_WRITE, READ, STATIC, WRITE, Journey
from architect.sim.engine.keys import ZipfKeys
from architect.sim.engine.stations import Request, Station
from architect.sim.engine.timeline import CALL_PRIORITY, Environment
from architect.sim.measures.window import Window
from architect.sim.model.topology import Network, Sharding, Traffic
from architect.sim.snapshot import SeriesPoint, Snapshot


def seed_for(seed: int, stream: str) -> int:
    """A stable seed for one named random stream (``hash()`` is salted per run)."""
    return zlib.crc32(f"{seed}:{stream}".encode())


class TrafficModel(Protocol):
    """What carries the traffic above a rate the engine cannot keep up with request by
    request (``architect.sim.flows.aggregate``); the engine asks it at every new rate."""

    mode: str

    def choose(self, rps: float) -> bool:
        """Whether this model carries the traffic at ``rps`` (else every request is simulated)."""
        ...

    def load(self, node_id: str) -> tuple[int, int]:
        """(busy workers, requests waiting) this model adds to a node now."""
        ...

    def describe(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with this model's figures added."""
        ...

    def describe_second(self, point: SeriesPoint) -> SeriesPoint:
        """A closed second's record with this model's figures added."""
        ...


class Shares(NamedTuple):
    """Shares of arriving requests by what they ask for (they add up to 1)."""

    static: float  # a static asset
    read: float  # a read of one key
    fan_out: float  # a read that asks every shard (a cross-shard query)
    job_write: float  # a write that also publishes a background job
    write: float


class Arrivals:
    """Arrivals, the traffic mix, and where requests and jobs end."""

    # The engine's state this part reads (``Engine`` sets it).
    seed: int
    env: Environment
    window: Window
    jobs: Window
    traffic: Traffic
    sharding: Sharding
    network: Network
    latency_ms: float
    rps: float
    revision: int  # see ``Site.revision``
    dns_failed: bool
    geo: GeoDns | None
    journeys: dict[str, Journey]
    aggregate: TrafficModel
    _first_journey: Journey

    def _start_arrivals(self, seed: int, traffic: Traffic) -> None:
        self._arrival_rng = random.Random(seed_for(seed, "arrivals"))
        self._keys = ZipfKeys(traffic.keys, traffic.zipf_s, random.Random(seed_for(seed, "keys")))
        self._arrival_generation = 0
        self.rps = 0.0

    def set_mix(self, traffic: Traffic) -> None:
        """Adopt a traffic mix (shares of static, read, write and job requests; key skew).

        Reads whose query joins data of several shards ask every shard, unless the data
        is denormalised (``Sharding.denormalised``): then they ask one, like any read.
        """
        self.revision += 1  # the settings a snapshot shows changed
        if traffic.zipf_s != self.traffic.zipf_s or traffic.keys != self.traffic.keys:
            self._keys = ZipfKeys(
                traffic.keys, traffic.zipf_s, random.Random(seed_for(self.seed, "keys"))
            )
        self.traffic = traffic
        self._users = traffic.users
        self._static_below = traffic.static_ratio
        self._read_below = traffic.static_ratio + (1 - traffic.static_ratio) * traffic.read_ratio
        self._job_below = self._read_below + (1 - self._read_below) * traffic.job_ratio
        joins = 0.0 if self.sharding.denormalised else traffic.cross_shard_ratio
        self._fanout_below = self._static_below + (self._read_below - self._static_below) * joins

    def shares(self) -> Shares:
        """What arriving requests ask for, as shares of all arrivals (as they are drawn)."""
        static, read_below, job_below = self._static_below, self._read_below, self._job_below
        fan = self._fanout_below - static
        return Shares(
            static=static,
            read=read_below - static - fan,
            fan_out=fan,
            job_write=job_below - read_below,
            write=1.0 - job_below,
        )

    def set_rps(self, rps: float) -> None:
        """Change the arrival rate now; the pending arrival is redrawn."""
        self.rps = rps
        self._arrival_generation += 1
        if not self.aggregate.choose(self.rps):
            self._schedule_arrival(self._arrival_generation)

    def _schedule_arrival(self, generation: int) -> None:
        if self.rps > 0:
            # rng.expovariate(rps), inlined: the same arithmetic, so the same draws.
            delay = -_log(1.0 - self._arrival_rng.random()) / self.rps
            self.env.call_later(delay, self._on_arrival, generation)

    def _on_arrival(self, generation: int) -> None:
        if generation != self._arrival_generation:
            return
        draw_uniform = self._arrival_rng.random
        rps = self.rps
        if rps > 0:  # _schedule_arrival(), inlined
            env = self.env
            now = env._now
            delay = -_log(1.0 - draw_uniform()) / rps
            heappush(
                env.calendar,
                (now + delay, CALL_PRIORITY, env.next_id(), self._on_arrival, generation),
            )
        else:
            now = self.env._now
        self.window.current.arrivals += 1
        draw = draw_uniform()
        if draw < self._static_below:
            kind = STATIC
        elif draw < self._read_below:
            kind = READ
        else:
            kind = JOB_WRITE if draw < self._job_below else WRITE
        users = self._users
        request = Request(now, kind, self._keys.draw(), int(draw * 1e9) % users if users else 0)
        if kind == READ and draw < self._fanout_below:
            request.fanout = True
        geo = self.geo
        if self.dns_failed:
            self._fail(request)
        elif geo is None:
            journey = self._first_journey
            # Without a CDN every request enters at the entry: skip Journey.arrive.
            (journey.entry if journey.cdn is None else journey).arrive(request)
        else:
            region = geo.region()
            center = geo.center_for(region, now)
            if center is None:
                self._fail(request)
                return
            if center != region:
                request.extra_ms = 2.0 * self.network.cross_region_ms
            self.journeys[center].arrive(request)

    def _complete(self, request: Request) -> None:
        # Latencies are binned when the bucket closes (see ``window.Bucket``).
        self.window.current.samples.append(
            (self.env._now - request.born) * 1000.0
            + 2.0 * request.hops * self.latency_ms
            + request.extra_ms
        )

    def _fail(self, request: Request) -> None:
        fan = request.parent
        if fan is not None:  # one part of a cross-shard query: the query fails, once
            if fan.failed:
                return
            fan.failed = True
        self.window.current.failed += 1

    def _publish(self, job: Request, queue: Station) -> None:
        self.jobs.current.arrivals += 1
        queue.arrive(job)

    def _job_done(self, job: Request) -> None:
        bucket = self.jobs.current
        bucket.served += 1
        bucket.latency.add((self.env.now - job.born) * 1000.0)

    def _job_failed(self, job: Request) -> None:
        self.jobs.current.failed += 1
