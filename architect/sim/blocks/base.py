"""What a building block is: one kind of node, with everything kind-specific about it.

A ``Block`` holds a kind's facts (its label, the column it is drawn in, what it
may send requests to, the defaults a new node gets) and its two
rules: ``wire``, where a station of this kind sends what it has finished
(per-request mode), and ``flow``, how the same requests split in aggregate mode.
The rules see the running simulation only through ``Wiring`` and ``Routes``,
which the engine (``architect.sim.engine.wiring``) and aggregate mode
(``architect.sim.flows.routes``) provide, so this package imports neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, TypeVar

from architect.sim.snapshot import NodeKind

Sink = Callable[[Any], None]  # where a station sends each request it has finished
T = TypeVar("T")  # aggregate mode's targets (flows, sinks, fan-outs)
Choices = list[tuple[float, T]]  # shares of a flow's departures and where each goes

# The classes of request aggregate mode routes; a flow carries one class at one station.
STATIC, READ, WRITE, JOB_WRITE, FAN, PART, JOB = (
    "static",
    "read",
    "write",
    "job_write",
    "fan",  # a cross-shard read, before it fans out
    "part",  # one shard's part of a cross-shard read
    "job",  # a background job on its way through the queue
)


class Preset(TypedDict, total=False):
    """The fields a new node of a kind starts with (any ``NodeSpec`` field but id and kind)."""

    size: str
    workers: int
    service_ms: float
    queue_limit: int
    health_check_s: float
    capacity_keys: int
    ttl_s: float
    eviction: str
    role: str
    replication_lag_ms: float


class Wiring(Protocol):
    """One data center's request path, as a block's ``wire`` rule sees it (by node id)."""

    def target_kinds(self, node_id: str) -> list[NodeKind]:
        """The kinds of the nodes ``node_id`` has links to, in link order."""
        ...

    def first_target(self, node_id: str, otherwise: Sink) -> Sink:
        """Arrival at the first node ``node_id`` links to; ``otherwise`` when it links to none."""
        ...

    def balance(self, node_id: str) -> Sink:
        """Spread over the nodes ``node_id`` links to, by its balancer (which tracks them)."""
        ...

    def web_sink(self, node_id: str, holds_data: bool) -> Sink:
        """What follows a web server: the data (or done, if it holds the data itself)."""
        ...

    def after_cdn(self) -> Sink: ...

    def after_cache(self) -> Sink: ...

    def after_session(self) -> Sink: ...

    def after_database(self) -> Sink: ...

    def job_done(self) -> Sink: ...

    def job_failed(self) -> Sink: ...


class Routes(Protocol[T]):
    """Aggregate mode's flow graph being built, as a block's ``flow`` rule sees it."""

    @property
    def served(self) -> T:
        """Done, successfully."""
        ...

    @property
    def failed(self) -> T: ...

    @property
    def part_served(self) -> T:
        """One shard's part of a cross-shard read, done."""
        ...

    @property
    def job_done(self) -> T: ...

    @property
    def job_failed(self) -> T: ...

    @property
    def entry(self) -> str:
        """The node DNS sends dynamic requests to."""
        ...

    @property
    def static_rps(self) -> float:
        """Requests for static assets, per second."""
        ...

    @property
    def reads_rps(self) -> float:
        """Reads of data (plain and cross-shard), per second."""
        ...

    @property
    def writes_rps(self) -> float: ...

    def flow(self, node_id: str, cls: str) -> T:
        """The flow of class ``cls`` at a node (made when first asked for)."""
        ...

    def target_kinds(self, node_id: str) -> list[NodeKind]: ...

    def targets(self, node_id: str) -> list[str]: ...

    def rotation(self, node_id: str) -> list[str]:
        """The backends a load balancer sends to now."""
        ...

    def algorithm(self, node_id: str) -> str: ...

    def in_turn(self, flows: list[T], backends: int) -> None:
        """These flows are fed in turn by a balancer over ``backends`` (smoother than random)."""
        ...

    def hit(self, node_id: str, read_rps: float, write_rps: float) -> float:
        """The hit ratio of a key store under these rates (Che's approximation)."""
        ...

    def after_web(self, cls: str, checked: bool, flow: T) -> Choices[T]:
        """Where a request goes after the web tier (``checked``: its session was found)."""
        ...

    def readers(self, cls: str) -> T:
        """The databases that answer a read: a shard's replicas in turn, else its primary."""
        ...


class FlowRule(Protocol):
    def __call__(self, r: Routes[T], node_id: str, cls: str, flow: T) -> Choices[T]: ...


WireRule = Callable[[Wiring, str], Sink]


@dataclass(frozen=True, slots=True)
class Block:
    """One kind of node: its facts and its rules (see the module docstring)."""

    kind: NodeKind
    label: str  # an N_ msgid: the web layer shows it translated
    tier: int  # the diagram's column and the node table's order, left to right
    path_order: int  # where it stands on a request's path (aggregate mode steps upstream first)
    sends_to: frozenset[NodeKind]  # the kinds a link from it may lead to
    default_id: str  # the id a new node of this kind gets
    preset: Preset  # the fields a new node starts with
    wire: WireRule | None  # None: it has no station (DNS)
    flow: FlowRule | None  # None: aggregate mode has no flow at it
    outside_centers: bool = False  # stands in front of every data center (DNS, the CDN)
    single: bool = False  # at most one per data center (one in all, outside the centers)
    resizable: bool = False  # takes the size presets (s, m, l, xl)
    edge: bool = False  # DNS sends it the static requests; the origin gets the rest
    balances: bool = False  # spreads requests over its targets, with health checks
    rotates: bool = False  # load balancers take it out of rotation when it fails
    holds_data: bool = False  # a database: it has a role and a shard
    carries_jobs: bool = False  # what fails here is a background job, not a user's request
    durable: bool = False  # keeps what waits while it is down (a durable queue's consumers)
    holds_keys: bool = False  # keeps a key store (a cache's contents)
    fixed_capacity: int = 0  # with holds_keys: this many keys (0: the node's capacity_keys)
