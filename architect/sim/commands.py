"""Commands that change a running simulation, and the error they raise.

A command is a small frozen value. The web layer builds one from a message
and hands it to ``Simulation.apply``; the engine either carries it out or
raises ``CommandError`` and leaves the simulation as it was.

Two more kinds of plain values belong to the same action vocabulary
(``architect.sim.actions``) without reaching the engine: a live session's
``Control`` (pause, resume, speed, reset: ``LiveSession`` carries them out) and a
lesson's own ``LessonCommand`` (predict, skip the prediction, run, hint: the
lessons app's ``Experiment`` does), and the lesson editor's ``AuthoringCommand``
(record scripted events by doing them: the authoring app's capture sandbox). They are
defined here, as plain data, so the vocabulary is one closed list that ``architect.sim``
can read without Django.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_RPS = 1_000_000.0
MIN_RPS = 0.0
MAX_ZIPF_S = 3.0
SPEEDS = (1, 2, 5)  # simulated seconds per wall second a live session may run at


class CommandError(Exception):
    """A command that cannot be carried out; the simulation is unchanged.

    ``code`` is stable (for translation), ``params`` fill its message.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


@dataclass(frozen=True, slots=True)
class SetTraffic:
    """Set the mean arrival rate (Poisson), in requests per second."""

    rps: float


@dataclass(frozen=True, slots=True)
class SetTrafficMix:
    """Change what requests ask for: reads vs writes, static assets, key popularity skew.

    A field left ``None`` keeps its current value.
    """

    read_ratio: float | None = None
    static_ratio: float | None = None
    zipf_s: float | None = None


@dataclass(frozen=True, slots=True)
class AddWebServer:
    """Add a web server like the existing ones (same size, same links)."""


@dataclass(frozen=True, slots=True)
class RemoveWebServer:
    """Remove a web server: the given one, or the newest when empty."""

    node_id: str = ""


@dataclass(frozen=True, slots=True)
class AddLoadBalancer:
    """Put a load balancer between DNS and the web servers."""


@dataclass(frozen=True, slots=True)
class SeparateDatabase:
    """Move the data from the web servers onto a database server of its own."""


@dataclass(frozen=True, slots=True)
class AddCache:
    """Put a read-through cache between the web servers and the database."""


@dataclass(frozen=True, slots=True)
class SetCache:
    """Set the cache's expiry (TTL, in seconds) and its eviction policy (``lru``, ``lfu``,
    ``fifo``); a field left ``None`` keeps its value. What a write does to a cached copy
    is the topology's (``writes``), not the learner's."""

    ttl_s: float | None = None
    eviction: str | None = None


@dataclass(frozen=True, slots=True)
class AddReplica:
    """Add a read replica of the primary database."""


@dataclass(frozen=True, slots=True)
class AddCdn:
    """Serve static assets from a CDN's edge instead of the web servers."""


@dataclass(frozen=True, slots=True)
class PurgeCdn:
    """Invalidate every copy the CDN holds: the next requests go to the origin."""


@dataclass(frozen=True, slots=True)
class SetCdn:
    """Serve only the most requested share of the assets (``assets``, 0.001 to 1) through
    the CDN; the page links the others straight to the origin."""

    assets: float


@dataclass(frozen=True, slots=True)
class SetSync:
    """How a write reaches the other data centers: ``none`` (it does not), ``async``
    (``dc_sync_ms`` later) or ``sync`` (before it is done, after the round trip)."""

    mode: str


@dataclass(frozen=True, slots=True)
class VersionAssets:
    """Publish assets under new URLs (``image.png?v=2``): old copies are never used again."""


@dataclass(frozen=True, slots=True)
class SetOperations:
    """Turn monitoring and automation on or off (automation needs monitoring)."""

    monitoring: bool
    automation: bool


@dataclass(frozen=True, slots=True)
class AddShard:
    """Split the data over one more database shard, by ``strategy``
    (``modulo`` or ``consistent_hash``; the first split chooses it)."""

    strategy: str = "consistent_hash"


@dataclass(frozen=True, slots=True)
class IsolateHotKey:
    """Give the hottest key that shares a shard a shard of its own (the celebrity problem's
    remedy: one shard for each celebrity)."""


@dataclass(frozen=True, slots=True)
class Denormalise:
    """Keep the data each query joins in the query's own shard (stored twice if need be):
    reads that asked every shard ask one."""


@dataclass(frozen=True, slots=True)
class AddSessionStore:
    """Keep sessions in a shared store, so any web server can serve any user."""


@dataclass(frozen=True, slots=True)
class SetBalancing:
    """Choose the load balancer's algorithm: round_robin, least_connections or sticky."""

    algorithm: str


@dataclass(frozen=True, slots=True)
class SetAutoscaling:
    """Turn the web tier's autoscaling on or off, between ``min`` and ``max`` servers."""

    enabled: bool
    min: int = 2
    max: int = 10
    target_utilization: float = 0.6


@dataclass(frozen=True, slots=True)
class AddMessageQueue:
    """Publish background jobs to a message queue consumed by a worker pool."""


@dataclass(frozen=True, slots=True)
class SetWorkers:
    """Set how many workers a worker pool has."""

    node_id: str
    workers: int


@dataclass(frozen=True, slots=True)
class AddDataCenter:
    """Open a data center in ``region``: a copy of data center ``center`` ("" for the first),
    with its own copy of the data; geoDNS sends each region's users to their nearest center."""

    center: str = ""
    region: str = "europe"


@dataclass(frozen=True, slots=True)
class FailDataCenter:
    """A whole data center goes dark (power, network, a flood)."""

    center: str


@dataclass(frozen=True, slots=True)
class RestoreDataCenter:
    """Bring every node of a data center back."""

    center: str


@dataclass(frozen=True, slots=True)
class ResizeNode:
    """Scale a node vertically to a size preset (s, m, l, xl)."""

    node_id: str
    size: str


@dataclass(frozen=True, slots=True)
class FailNode:
    """Make a node fail: it drops what it holds and refuses new requests."""

    node_id: str


@dataclass(frozen=True, slots=True)
class RestoreNode:
    """Bring a failed node back, empty and healthy."""

    node_id: str


@dataclass(frozen=True, slots=True)
class Pause:
    """Stop simulated time."""


@dataclass(frozen=True, slots=True)
class Resume:
    """Let simulated time run again."""


@dataclass(frozen=True, slots=True)
class SetSpeed:
    """Run ``speed`` simulated seconds per wall second (one of ``SPEEDS``)."""

    speed: int


@dataclass(frozen=True, slots=True)
class PageHidden:
    """The page is out of sight (another tab, a minimised window): hold simulated time
    without touching the learner's own pause."""


@dataclass(frozen=True, slots=True)
class PageShown:
    """The page is in sight again: simulated time runs unless the learner paused it."""


@dataclass(frozen=True, slots=True)
class Reset:
    """Start again from the first topology, at time 0, with the same seed
    (in a lesson: back to the stage's starting architecture)."""


@dataclass(frozen=True, slots=True)
class Predict:
    """Answer a lesson stage's prediction question with choice number ``choice``."""

    choice: int


@dataclass(frozen=True, slots=True)
class SkipPrediction:
    """Go on without answering the stage's prediction question."""


@dataclass(frozen=True, slots=True)
class RunExperiment:
    """Run the stage's experiment with the architecture as it is now."""


@dataclass(frozen=True, slots=True)
class ShowHint:
    """Reveal the stage's next hint."""


@dataclass(frozen=True, slots=True)
class Record:
    """Authoring: while ``on``, a failure, repair or traffic change made in the lesson
    editor's sandbox is recorded as a scripted event at its simulated time."""

    on: bool


Control = Pause | Resume | SetSpeed | Reset | PageHidden | PageShown
AuthoringCommand = Record
LessonCommand = Predict | SkipPrediction | RunExperiment | ShowHint

Command = (
    SetTraffic
    | SetTrafficMix
    | AddWebServer
    | RemoveWebServer
    | AddLoadBalancer
    | SeparateDatabase
    | AddCache
    | SetCache
    | AddReplica
    | AddCdn
    | PurgeCdn
    | SetCdn
    | VersionAssets
    | SetOperations
    | AddShard
    | Denormalise
    | IsolateHotKey
    | AddSessionStore
    | SetBalancing
    | SetAutoscaling
    | AddMessageQueue
    | SetWorkers
    | AddDataCenter
    | FailDataCenter
    | RestoreDataCenter
    | SetSync
    | ResizeNode
    | FailNode
    | RestoreNode
)

__all__ = [
    "MAX_RPS",
    "MAX_ZIPF_S",
    "MIN_RPS",
    "SPEEDS",
    "AddCache",
    "AddCdn",
    "AddDataCenter",
    "AddLoadBalancer",
    "AddMessageQueue",
    "AddReplica",
    "AddSessionStore",
    "AddShard",
    "AddWebServer",
    "AuthoringCommand",
    "Command",
    "CommandError",
    "Control",
    "Denormalise",
    "FailDataCenter",
    "FailNode",
    "IsolateHotKey",
    "LessonCommand",
    "PageHidden",
    "PageShown",
    "Pause",
    "Predict",
    "PurgeCdn",
    "Record",
    "RemoveWebServer",
    "Reset",
    "ResizeNode",
    "RestoreDataCenter",
    "RestoreNode",
    "Resume",
    "RunExperiment",
    "SeparateDatabase",
    "SetAutoscaling",
    "SetBalancing",
    "SetCache",
    "SetCdn",
    "SetOperations",
    "SetSpeed",
    "SetSync",
    "SetTraffic",
    "SetTrafficMix",
    "SetWorkers",
    "ShowHint",
    "SkipPrediction",
    "VersionAssets",
]
