"""A headless run of one topology and its long-run measures, as plain values.

``run_report(topology, duration_s=…, warmup_s=…, seed=…)`` builds a
``Simulation``, runs the warm-up, then measures ``duration_s`` seconds with
the long-run measures, never the 1 s panel window:

- summary: ``Window.cumulative`` (every bucket since the warm-up ended);
- per node: ``Station.completed`` and ``Station.areas()`` differences, and a
  ``Probe`` (see ``probes``) for time at the node and queue length; a node added
  during the span (a scripted ``add_web_server``, the autoscaler) counts from zero and
  says when it came (``added_s``); rates are per second of the whole span;
- cache and CDN: hits ÷ lookups of their ``KeyCache`` over the span;
- series: one point per simulated second of the span, collected here (the
  engine's history keeps only 60 s).

Measures move in 0.1 s buckets, so a warm-up that is not a multiple of 0.1 s
lets the end of its last bucket into the summary. Same topology, same seed:
the same report, and ``to_dict()`` rounds floats so its JSON is byte-identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from architect.sim.engine.probes import Probe
from architect.sim.measures.histogram import Histogram
from architect.sim.measures.window import Bucket
from architect.sim.model.topology import Topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Event, EventKind, NodeKind, SeriesPoint

MAX_DURATION_S = 3600.0
MAX_WARMUP_S = 3600.0
SIGNIFICANT_DIGITS = 6


@dataclass(frozen=True, slots=True)
class Summary:
    offered_rps: float  # the configured arrival rate
    arrivals_rps: float  # measured
    throughput_rps: float  # served per second
    served: int
    failed: int
    error_rate: float  # failed ÷ (served + failed)
    latency_ms: dict[str, float | None]  # mean, p50, p95, p99; None when nothing was served
    cost_per_month: float
    stale_reads: int
    lost_writes: int

    @property
    def availability(self) -> float:
        return 1.0 - self.error_rate


@dataclass(frozen=True, slots=True)
class NodeReport:
    id: str
    kind: NodeKind
    workers: int
    utilization: float  # busy worker-seconds ÷ available worker-seconds
    throughput_rps: float  # requests it finished per second (DNS: requests resolved)
    mean_queue: float  # time-average number waiting (not in service)
    latency_ms: dict[str, float | None]  # time at this node, queue + service: mean, p99
    added_s: float | None = None  # simulated time it was added, if during the measured span


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    seed: int
    warmup_s: float
    duration_s: float
    summary: Summary
    nodes: tuple[NodeReport, ...]
    hit_ratios: dict[str, float | None]  # "hit_ratio" (the cache), "cdn_hit_ratio"
    events: tuple[Event, ...]
    series: tuple[SeriesPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready values; floats rounded to ``SIGNIFICANT_DIGITS``."""
        summary = self.summary
        return _rounded(
            {
                "name": self.name,
                "seed": self.seed,
                "warmup_s": self.warmup_s,
                "duration_s": self.duration_s,
                "summary": {
                    "offered_rps": summary.offered_rps,
                    "arrivals_rps": summary.arrivals_rps,
                    "throughput_rps": summary.throughput_rps,
                    "served": summary.served,
                    "failed": summary.failed,
                    "error_rate": summary.error_rate,
                    "availability": summary.availability,
                    "latency_ms": summary.latency_ms,
                    "cost_per_month": summary.cost_per_month,
                    "stale_reads": summary.stale_reads,
                    "lost_writes": summary.lost_writes,
                },
                "nodes": {node.id: _node_dict(node) for node in self.nodes},
                "cache": self.hit_ratios,
                "events": [_event_dict(event) for event in self.events],
                "series": [
                    {
                        "t": p.t,
                        "throughput_rps": p.throughput_rps,
                        "p99_ms": p.p99_ms,
                        "error_rate": p.error_rate,
                    }
                    for p in self.series
                ],
            }
        )


def run_report(topology: Topology, *, duration_s: float, warmup_s: float, seed: int) -> Report:
    """Run ``warmup_s`` simulated seconds, then measure ``duration_s`` more."""
    if not 0 < duration_s <= MAX_DURATION_S:
        raise ValueError(f"duration must be more than 0 and at most {MAX_DURATION_S:g} seconds")
    if not 0 <= warmup_s <= MAX_WARMUP_S:
        raise ValueError(f"warm-up must be between 0 and {MAX_WARMUP_S:g} seconds")
    sim = Simulation(topology, seed=seed)
    probe = Probe(sim)
    sim.advance(warmup_s)
    start = _Counters(sim)
    sim.window.reset_cumulative()
    probe.reset()
    series = _measure(sim, duration_s)
    end = _Counters(sim)
    return Report(
        name=topology.name,
        seed=seed,
        warmup_s=warmup_s,
        duration_s=duration_s,
        summary=_summary(sim, start, end, duration_s),
        nodes=tuple(_node(sim, probe, node_id, start, end, duration_s) for node_id in sim.specs),
        hit_ratios={
            "hit_ratio": _hit_ratio(sim, NodeKind.CACHE, start, end),
            "cdn_hit_ratio": _hit_ratio(sim, NodeKind.CDN, start, end),
        },
        events=tuple(sim.log),
        series=series,
    )


class _Counters:
    """The engine's running totals at one moment, to subtract."""

    def __init__(self, sim: Simulation) -> None:
        snapshot = sim.snapshot()
        self.cost_per_month = snapshot.cost_per_month
        self.stale_reads = snapshot.stale_reads
        self.lost_writes = snapshot.lost_writes
        self.completed = {i: s.completed for i, s in sim.stations.items()}
        self.areas = {i: s.areas() for i, s in sim.stations.items()}
        self.lookups = {i: (c.hits, c.misses) for i, c in sim.stores.items()}


def _measure(sim: Simulation, duration_s: float) -> tuple[SeriesPoint, ...]:
    """Advance ``duration_s``, one point per simulated second (the last may be shorter)."""
    whole = int(duration_s)
    steps = [1.0] * whole + ([duration_s - whole] if duration_s - whole > 1e-9 else [])
    points = []
    seen = Bucket()
    for step in steps:
        sim.advance(step)
        second = _copy(sim.window.cumulative)
        second.add(seen, sign=-1)
        (p99,) = second.latency.percentiles(0.99)
        points.append(
            SeriesPoint(
                t=round(sim.now, 6),
                throughput_rps=second.served / step,
                p99_ms=None if math.isnan(p99) else p99,
                error_rate=_error_rate(second),
            )
        )
        seen.add(second)
    return tuple(points)


def _summary(sim: Simulation, start: _Counters, end: _Counters, duration_s: float) -> Summary:
    total = sim.window.cumulative
    return Summary(
        offered_rps=sim.rps,
        arrivals_rps=total.arrivals / duration_s,
        throughput_rps=total.served / duration_s,
        served=total.served,
        failed=total.failed,
        error_rate=_error_rate(total),
        latency_ms=_latency(total.latency, ("mean", "p50", "p95", "p99")),
        cost_per_month=end.cost_per_month,
        stale_reads=end.stale_reads - start.stale_reads,
        lost_writes=end.lost_writes - start.lost_writes,
    )


def _node(
    sim: Simulation, probe: Probe, node_id: str, start: _Counters, end: _Counters, duration_s: float
) -> NodeReport:
    kind = sim.specs[node_id].kind
    station = sim.stations.get(node_id)
    if station is None:  # DNS: no queue of its own; it resolves every arrival
        arrivals = sim.window.cumulative.arrivals
        no_latency: dict[str, float | None] = {"mean": None, "p99": None}
        return NodeReport(node_id, kind, 0, 0.0, arrivals / duration_s, 0.0, no_latency)
    added = node_id not in start.areas
    (busy_0, capacity_0), (busy_1, capacity_1) = (
        start.areas.get(node_id, (0.0, 0.0)),
        end.areas[node_id],
    )
    capacity = capacity_1 - capacity_0
    probed = probe.stations.get(node_id)
    return NodeReport(
        id=node_id,
        kind=kind,
        workers=station.workers,
        utilization=(busy_1 - busy_0) / capacity if capacity > 0 else 0.0,
        throughput_rps=(end.completed[node_id] - start.completed.get(node_id, 0)) / duration_s,
        mean_queue=probed.mean_queue if probed else 0.0,
        latency_ms=_latency(probed.latency if probed else Histogram(), ("mean", "p99")),
        added_s=_added_at(sim, node_id) if added else None,
    )


def _added_at(sim: Simulation, node_id: str) -> float | None:
    """When the log says ``node_id`` was added (None if it does not say)."""
    for event in sim.log:
        if (event.kind == EventKind.NODE_ADDED and event.node == node_id) or (
            event.kind == EventKind.SCALED_OUT and node_id in event.text.split(",")
        ):
            return event.t
    return None


def _hit_ratio(sim: Simulation, kind: NodeKind, start: _Counters, end: _Counters) -> float | None:
    """Hits ÷ lookups of the first store of this kind over the span; None without lookups."""
    for node_id, (hits_1, misses_1) in end.lookups.items():
        if sim.specs[node_id].kind == kind:
            hits_0, misses_0 = start.lookups.get(node_id, (0, 0))
            lookups = hits_1 - hits_0 + misses_1 - misses_0
            return (hits_1 - hits_0) / lookups if lookups else None
    return None


def _latency(histogram: Histogram, names: tuple[str, ...]) -> dict[str, float | None]:
    if not histogram.total:
        return dict.fromkeys(names)
    quantiles = [float(name[1:]) / 100 for name in names if name != "mean"]
    values = iter(histogram.percentiles(*quantiles))
    return {name: histogram.mean() if name == "mean" else next(values) for name in names}


def _error_rate(bucket: Bucket) -> float:
    done = bucket.served + bucket.failed
    return bucket.failed / done if done else 0.0


def _copy(bucket: Bucket) -> Bucket:
    copy = Bucket()
    copy.add(bucket)
    return copy


def _node_dict(node: NodeReport) -> dict[str, Any]:
    found = {
        "kind": node.kind.value,
        "workers": node.workers,
        "utilization": node.utilization,
        "throughput_rps": node.throughput_rps,
        "mean_queue": node.mean_queue,
        "latency_ms": node.latency_ms,
    }
    return found if node.added_s is None else {**found, "added_s": node.added_s}


def _event_dict(event: Event) -> dict[str, Any]:
    """The time, the kind's value and the fields this kind uses (the non-empty ones)."""
    found: dict[str, Any] = {"t": event.t, "kind": event.kind.value}
    for field in fields(event):
        value = getattr(event, field.name)
        if field.name not in found and value:
            found[field.name] = value
    return found


def _rounded(value: Any) -> Any:
    """Floats to ``SIGNIFICANT_DIGITS`` (NaN to None), through dicts and lists."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value
