"""Read a topology from plain data (parsed JSON or YAML) into a ``Topology``.

Every problem is collected, each with its path (``nodes[3].service_ms``), so
an author can fix a file in one go. Sizes of everything are bounded, so a
hostile file costs little. The format is documented in docs/topology.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from architect.sim.actions import NODE_ID
from architect.sim.commands import MAX_RPS
from architect.sim.model.limits import MAX_KEYS, MAX_NODES
from architect.sim.model.plain import plain_problems
from architect.sim.model.problems import (
    A_NUMBER,
    A_WHOLE_NUMBER,
    CENTER_TEXT,
    NOT_A_FIELD,
    TEXT,
    TRUE_OR_FALSE,
    Problem,
    TopologyError,
    between,
    one_of,
)
from architect.sim.model.sizes import SIZES
from architect.sim.model.topology import (
    Autoscaling,
    Network,
    NodeSpec,
    Operations,
    Sharding,
    Topology,
    Traffic,
)
from architect.sim.model.validate import CROSSES, UNKNOWN_NODE, validate
from architect.sim.scenario import events_data, read_events
from architect.sim.snapshot import NodeKind
from architect.sim.text import N_

FORMAT_VERSION = 1
MAX_LINKS = 256
MAX_NAME_LENGTH = 200
_TOP_KEYS = {
    "version",
    "name",
    "traffic",
    "network",
    "operations",
    "sharding",
    "autoscaling",
    "nodes",
    "links",
    "events",
}
_DEFAULTS = NodeSpec(id="", kind=NodeKind.WEB_SERVER)
_Fields = dict[str, tuple[type, Any, float, float]]  # name: (type, default, low, high)
_TRAFFIC = Traffic()
_TRAFFIC_FIELDS: _Fields = {
    "rps": (float, _TRAFFIC.rps, 0, MAX_RPS),
    "read_ratio": (float, _TRAFFIC.read_ratio, 0, 1),
    "static_ratio": (float, _TRAFFIC.static_ratio, 0, 1),
    "keys": (int, _TRAFFIC.keys, 1, MAX_KEYS),
    "zipf_s": (float, _TRAFFIC.zipf_s, 0, 3),
    "users": (int, _TRAFFIC.users, 0, MAX_KEYS),
    "job_ratio": (float, _TRAFFIC.job_ratio, 0, 1),
    "cross_shard_ratio": (float, _TRAFFIC.cross_shard_ratio, 0, 1),
}
_NETWORK_FIELDS: _Fields = {
    "latency_ms": (float, Network().latency_ms, 0, 10_000),
    "cross_region_ms": (float, Network().cross_region_ms, 0, 10_000),
    "dc_sync_ms": (float, Network().dc_sync_ms, 0, 3_600_000),
    "dns_ttl_s": (float, Network().dns_ttl_s, 0, 86_400),
    "dc_sync": (str, Network().dc_sync, 0, 0),
}
_SHARDING_FIELDS: _Fields = {
    "strategy": (str, "none", 0, 0),
    "shards": (int, 1, 1, 16),
    "vnodes": (int, 100, 1, 1000),
    "denormalised": (bool, False, 0, 0),
    "hot_keys": (int, 0, 0, 15),
    "split_from_strategy": (str, "", 0, 0),
    "split_from_shards": (int, 0, 0, 16),
    "split_from_hot_keys": (int, 0, 0, 15),
    "copy_s": (float, 0.0, 0, 3600),
}
_AUTOSCALING = Autoscaling()
_AUTOSCALING_FIELDS: _Fields = {
    "enabled": (bool, False, 0, 0),
    "min": (int, _AUTOSCALING.min, 1, 20),
    "max": (int, _AUTOSCALING.max, 1, 20),
    "target_utilization": (float, _AUTOSCALING.target_utilization, 0.05, 0.95),
    "warmup_s": (float, _AUTOSCALING.warmup_s, 0.01, 3600),
    "interval_s": (float, _AUTOSCALING.interval_s, 0.01, 3600),
}
_OPERATIONS = Operations()
_OPERATIONS_FIELDS: _Fields = {
    "monitoring": (bool, False, 0, 0),
    "automation": (bool, False, 0, 0),
    "unmonitored_repair_s": (float, _OPERATIONS.unmonitored_repair_s, 0.01, 86_400),
    "manual_repair_s": (float, _OPERATIONS.manual_repair_s, 0.01, 86_400),
    "automated_repair_s": (float, _OPERATIONS.automated_repair_s, 0.01, 86_400),
}
# Numeric node fields beyond workers and service_ms, with their ranges.
_NODE_NUMBERS: _Fields = {
    "queue_limit": (int, _DEFAULTS.queue_limit, 0, 1_000_000),
    "health_check_s": (float, _DEFAULTS.health_check_s, 0.01, 3600),
    "capacity_keys": (int, _DEFAULTS.capacity_keys, 1, 10_000_000),
    "ttl_s": (float, _DEFAULTS.ttl_s, 0.001, 31_536_000),
    "assets": (float, _DEFAULTS.assets, 0.001, 1),
    "replication_lag_ms": (float, _DEFAULTS.replication_lag_ms, 0, 3_600_000),
    "failover_s": (float, _DEFAULTS.failover_s, 0.01, 86_400),
    "shard": (int, 0, 0, 15),
}
_NODE_TEXTS = ("dc",)
_NODE_FLAGS = ("geo_routing",)
_NODE_CHOICES = ("service_dist", "algorithm", "eviction", "writes", "role")
_NODE_KEYS = (
    {"id", "kind", "size", "workers", "service_ms"}
    | set(_NODE_NUMBERS)
    | set(_NODE_CHOICES)
    | set(_NODE_TEXTS)
    | set(_NODE_FLAGS)
)


def load_topology(data: object) -> Topology:
    """A validated ``Topology`` from plain data, or ``TopologyError`` with every problem
    (first those of ``plain_problems``: then nothing of it is read). A file with problems
    in its fields is validated too, as far as what could be read allows (``_Reader.also``):
    a bad size and a link to an unknown node are two problems, listed together."""
    limits = plain_problems(data)
    if limits:
        raise TopologyError(limits)
    reader = _Reader()
    topology = reader.topology(data)
    problems = reader.problems
    if topology is not None:
        problems = problems + reader.also(validate(topology))
    if problems or topology is None:
        raise TopologyError(problems)
    return topology


_PLACE = re.compile(r"^(nodes|links)\[(\d+)\]")


class _Reader:
    """Walks the data once, noting problems instead of stopping at the first. It notes
    where each node and link it read stands in the data (one it could not read is left
    out) and what it could not read, for ``also``."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.places: dict[str, list[int]] = {"nodes": [], "links": []}
        self.lost_nodes = False  # a node (or the whole list) not read: links to it unknown
        self.lost_dc = False  # a node's data center not read: read as none

    def also(self, found: list[Problem]) -> list[Problem]:
        """``validate``'s problems worth adding to the reader's: all of them when the
        reader found none; else those of one node or one link (the whole topology's rules,
        a count of web servers or a shard's primary, may only echo what was not read), at
        the node's or link's place in the data, except a link's unknown node when a node
        was not read and a link crossing centers when a node's center was not."""
        if not self.problems:
            return found
        kept = []
        for problem in found:
            place = _PLACE.match(problem.path)
            if place is None:
                continue
            if problem.reason == UNKNOWN_NODE and self.lost_nodes:
                continue
            if problem.reason == CROSSES and self.lost_dc:
                continue
            where, index = place.group(1), self.places[place.group(1)][int(place.group(2))]
            path = f"{where}[{index}]{problem.path[place.end() :]}"
            kept.append(Problem(path, problem.reason, problem.params))
        return kept

    def problem(self, path: str, reason: str, /, **params: object) -> None:
        self.problems.append(Problem(path, reason, params))

    def topology(self, data: object) -> Topology | None:
        if not isinstance(data, Mapping):
            self.problem("(top)", N_("must be a mapping with version, nodes and links"))
            return None
        for key in sorted(set(map(str, data)) - _TOP_KEYS):
            self.problem(key, NOT_A_FIELD)
        if data.get("version") != FORMAT_VERSION:
            self.problem("version", N_("must be %(version)s"), version=FORMAT_VERSION)
        name = data.get("name", "Untitled")
        if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH:
            self.problem(
                "name", N_("must be text of at most %(limit)s characters"), limit=MAX_NAME_LENGTH
            )
            name = "Untitled"
        nodes = self.nodes(data.get("nodes"))
        links = self.links(data.get("links"))
        traffic_data = data.get("traffic", {})
        regions = self.regions(
            traffic_data.get("regions") if isinstance(traffic_data, Mapping) else None
        )
        if isinstance(traffic_data, Mapping) and "regions" in traffic_data:
            data = {**data, "traffic": {k: v for k, v in traffic_data.items() if k != "regions"}}
        traffic = Traffic(**self.section(data, "traffic", _TRAFFIC_FIELDS), regions=regions)
        network = Network(**self.section(data, "network", _NETWORK_FIELDS))
        operations = Operations(**self.section(data, "operations", _OPERATIONS_FIELDS))
        sharding = Sharding(**self.section(data, "sharding", _SHARDING_FIELDS))
        autoscaling = Autoscaling(**self.section(data, "autoscaling", _AUTOSCALING_FIELDS))
        events = read_events(data["events"], self.problems) if "events" in data else ()
        return Topology(
            name=name,
            nodes=nodes,
            links=links,
            traffic=traffic,
            network=network,
            operations=operations,
            sharding=sharding,
            autoscaling=autoscaling,
            events=events,
        )

    def regions(self, raw: object) -> tuple[tuple[str, float], ...]:
        """``{asia: 0.5, us-east: 0.5}``: where users are, with weights."""
        if raw is None:
            return ()
        if not isinstance(raw, Mapping) or len(raw) > 16:
            self.problem(
                "traffic.regions", N_("must be a mapping of at most 16 region names to weights")
            )
            return ()
        regions = []
        for name, weight in raw.items():
            if not isinstance(name, str) or not NODE_ID.match(name):
                reason = N_('"%(name)s" is not a region name (lower-case letters, digits, dashes)')
                self.problem("traffic.regions", reason, name=name)
                continue
            regions.append(
                (name, self.value(weight, f"traffic.regions.{name}", float, 0.0, low=0, high=1e6))
            )
        return tuple(regions)

    def section(self, data: Mapping[str, Any], name: str, fields: _Fields) -> dict[str, Any]:
        """The numeric fields of a top-level section, defaults where absent or wrong."""
        part = data.get(name, {})
        if not isinstance(part, Mapping):
            self.problem(name, N_("must be a mapping"))
            part = {}
        for extra in sorted(set(map(str, part)) - set(fields)):
            self.problem(f"{name}.{extra}", NOT_A_FIELD)
        return {
            key: self.value(
                part.get(key, default), f"{name}.{key}", kind, default, low=low, high=high
            )
            for key, (kind, default, low, high) in fields.items()
        }

    def value(
        self, raw: object, path: str, kind: type, default: Any, *, low: float, high: float
    ) -> Any:
        if kind is str:
            if not isinstance(raw, str):
                self.problem(path, TEXT)
                return default
            return raw  # allowed values are checked by ``validate``
        if kind is bool:
            if not isinstance(raw, bool):
                self.problem(path, TRUE_OR_FALSE)
                return default
            return raw
        whole = kind is int
        valid_type = isinstance(raw, int) if whole else isinstance(raw, (int, float))
        if isinstance(raw, bool) or not valid_type or not math.isfinite(raw):  # type: ignore[arg-type]
            self.problem(path, A_WHOLE_NUMBER if whole else A_NUMBER)
            return default
        if not low <= raw <= high:  # type: ignore[operator]
            self.problems.append(between(path, low, high))
            return default
        return kind(raw)

    def nodes(self, raw: object) -> tuple[NodeSpec, ...]:
        if not isinstance(raw, list):
            self.problem("nodes", N_("must be a list"))
            self.lost_nodes = True
            return ()
        if len(raw) > MAX_NODES:
            self.problem("nodes", N_("at most %(limit)s nodes"), limit=MAX_NODES)
            self.lost_nodes = True
            return ()
        specs = []
        for i, item in enumerate(raw):
            spec = self.node(item, f"nodes[{i}]")
            if spec is None:
                self.lost_nodes = True
                continue
            specs.append(spec)
            self.places["nodes"].append(i)
        return tuple(specs)

    def node(self, raw: object, path: str) -> NodeSpec | None:
        if not isinstance(raw, Mapping):
            self.problem(path, N_("must be a mapping with id and kind"))
            return None
        for key in sorted(set(map(str, raw)) - _NODE_KEYS):
            self.problem(f"{path}.{key}", NOT_A_FIELD)
        node_id = raw.get("id")
        if not isinstance(node_id, str) or not NODE_ID.match(node_id):
            self.problem(f"{path}.id", N_("must be 1–32 lower-case letters, digits or dashes"))
            return None
        kinds = {k.value: k for k in NodeKind}
        kind_name = raw.get("kind")
        if not isinstance(kind_name, str) or kind_name not in kinds:
            self.problems.append(one_of(f"{path}.kind", list(kinds)))
            return None
        kind = kinds[kind_name]
        size = raw.get("size", "")
        if not isinstance(size, str) or (size and size not in SIZES):
            self.problems.append(one_of(f"{path}.size", list(SIZES)))
            size = ""
        workers = SIZES[size].workers if size else _DEFAULTS.workers
        numbers: dict[str, Any] = {
            key: self.value(
                raw.get(key, default), f"{path}.{key}", kind, default, low=low, high=high
            )
            for key, (kind, default, low, high) in _NODE_NUMBERS.items()
        }
        choices: dict[str, Any] = {key: self.choice(raw, key, path) for key in _NODE_CHOICES}
        dc = raw.get("dc", "")
        if not isinstance(dc, str) or (dc and not NODE_ID.match(dc)):
            self.problem(f"{path}.dc", CENTER_TEXT)
            self.lost_dc = True
            dc = ""
        geo = self.value(
            raw.get("geo_routing", False), f"{path}.geo_routing", bool, False, low=0, high=0
        )
        return NodeSpec(
            id=node_id,
            kind=kind,
            size=size,
            workers=self.value(
                raw.get("workers", workers), f"{path}.workers", int, workers, low=1, high=100_000
            ),
            service_ms=self.value(
                raw.get("service_ms", _DEFAULTS.service_ms),
                f"{path}.service_ms",
                float,
                1.0,
                low=0.001,
                high=600_000,
            ),
            **numbers,
            **choices,
            dc=dc,
            geo_routing=geo,
        )

    def choice(self, raw: Mapping[str, Any], key: str, path: str) -> str:
        default = getattr(_DEFAULTS, key)
        value = raw.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", TEXT)
            return str(default)
        return value  # the allowed values are checked by ``validate``

    def links(self, raw: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(raw, list):
            self.problem("links", N_("must be a list of [from, to] pairs"))
            return ()
        if len(raw) > MAX_LINKS:
            self.problem("links", N_("at most %(limit)s links"), limit=MAX_LINKS)
            return ()
        links: list[tuple[str, str]] = []
        for i, link in enumerate(raw):
            if not (
                isinstance(link, list) and len(link) == 2 and all(isinstance(n, str) for n in link)
            ):
                self.problem(f"links[{i}]", N_("must be a pair of node ids, like [dns, web-1]"))
                continue
            links.append((link[0], link[1]))
            self.places["links"].append(i)
        return tuple(links)


def dump_topology(topology: Topology) -> dict[str, Any]:
    """Plain data for a topology, the inverse of ``load_topology``."""
    data: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "name": topology.name,
        "traffic": _traffic(topology.traffic),
        "network": _changed(topology.network, Network(), always=("latency_ms",)),
        "operations": _changed(topology.operations, Operations()),
        "sharding": _changed(topology.sharding, Sharding()),
        "autoscaling": _changed(topology.autoscaling, Autoscaling()),
        "nodes": [_dump_node(node) for node in topology.nodes],
        "links": [list(link) for link in topology.links],
    }
    if topology.events:
        data["events"] = events_data(topology.events)
    return data


def _dump_node(node: NodeSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"id": node.id, "kind": node.kind.value}
    if node.size:
        data["size"] = node.size
    if node.dc:
        data["dc"] = node.dc
    if node.geo_routing:
        data["geo_routing"] = True
    expected = {"workers": SIZES[node.size].workers if node.size else _DEFAULTS.workers}
    for key in sorted(_NODE_KEYS - {"id", "kind", "size", "dc", "geo_routing"}):
        value = getattr(node, key)
        if value != expected.get(key, getattr(_DEFAULTS, key)):
            data[key] = value
    return data


def _changed(value: object, default: object, *, always: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of a dataclass that differ from its defaults (and ``always`` ones)."""
    names = value.__dataclass_fields__  # type: ignore[attr-defined]
    return {
        n: getattr(value, n)
        for n in names
        if n in always or getattr(value, n) != getattr(default, n)
    }


def _traffic(traffic: Traffic) -> dict[str, Any]:
    data = _changed(traffic, Traffic(), always=("rps",))
    if traffic.regions:
        data["regions"] = dict(traffic.regions)
    return data
