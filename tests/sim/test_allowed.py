"""The snapshot says which actions would succeed now, and it is right.

For many architectures (grown by commands, failed, repaired, promoted, scaled, in
aggregate mode, over several data centers) every action of the vocabulary is tried,
the way a page would send it, on a copy of the simulation (the same topology, seed
and commands again): the ones the snapshot lists succeed, the others raise
``CommandError`` and leave the copy exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from architect.sim.actions import ACTIONS, parse_action
from architect.sim.commands import CommandError
from architect.sim.loader import load_topology
from architect.sim.model import presets
from architect.sim.model.limits import HOME_REGION, REGIONS
from architect.sim.model.topology import Autoscaling, Topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import EventKind, Snapshot

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
SLOW = {"action": "set_traffic", "rps": 40}  # enough requests to move, few to simulate
Step = tuple[float, tuple[dict[str, Any], ...]]  # run this long after these actions


@dataclass(frozen=True)
class Recipe:
    """How to build one simulation, again and again: the copies are identical."""

    topology: Topology
    steps: tuple[Step, ...]
    mode: str = "auto"

    def build(self) -> Simulation:
        sim = Simulation(self.topology, seed=3, mode=self.mode)
        for dt, actions in self.steps:
            for data in actions:
                sim.apply(parse_action(data, "recipe"))
            sim.advance(dt)
        return sim


def example(name: str) -> Topology:
    return load_topology(yaml.safe_load((EXAMPLES / name).read_text()))


def grown(*actions: dict[str, Any]) -> tuple[Step, ...]:
    return ((0.3, (SLOW, *actions)),)


SINGLE = presets.single_server(rps=40)
BALANCED = (
    {"action": "separate_database"},
    {"action": "add_load_balancer"},
    {"action": "add_web_server"},
)
RECIPES = {
    "single server": Recipe(SINGLE, ((0.3, ()),)),
    "single server, DNS down": Recipe(SINGLE, grown({"action": "fail", "node": "dns"})),
    "database of its own, no balancer": Recipe(SINGLE, grown({"action": "separate_database"})),
    "balanced, cached, replicated": Recipe(
        SINGLE, grown(*BALANCED, {"action": "add_cache"}, {"action": "add_replica"})
    ),
    "everything, sharded": Recipe(example("everything.yaml"), grown()),
    "web-1 down behind a balancer": Recipe(
        example("failure-drill.yaml"), grown({"action": "fail", "node": "web-1"})
    ),
    "at the limits: 8 replicas, 20 web servers, xl": Recipe(
        SINGLE,
        grown(
            *BALANCED,
            *({"action": "add_replica"},) * 8,
            *({"action": "add_web_server"},) * 18,
            {"action": "resize", "node": "db", "size": "xl"},
        ),
    ),
    "a primary promoted after its failover": Recipe(
        SINGLE,
        (*grown(*BALANCED, {"action": "add_replica"}, {"action": "fail", "node": "db"}), (11, ())),
    ),
    "repaired by automation": Recipe(
        example("failure-drill.yaml"),
        (
            *grown(
                {"action": "set_operations", "monitoring": True, "automation": True},
                {"action": "fail", "node": "web-2"},
            ),
            (31, ()),
        ),
    ),
    "scaled out": Recipe(
        replace(SINGLE, autoscaling=Autoscaling(interval_s=1.0, warmup_s=0.5)),
        (
            *grown(
                *BALANCED,
                {"action": "set_autoscaling", "enabled": True, "min": 2, "max": 4},
                {"action": "set_traffic", "rps": 600},
            ),
            (2.5, ()),
        ),
    ),
    "aggregate mode": Recipe(
        example("cached-and-replicated.yaml"),
        ((0.3, ({"action": "purge_cdn"},)),),
        mode="aggregate",
    ),
    "two centers, asia down": Recipe(
        example("two-data-centers.yaml"),
        grown({"action": "fail_data_center", "center": "asia"}),
    ),
    "three centers opened from the sandbox": Recipe(
        SINGLE,
        grown(
            *BALANCED,
            {"action": "add_data_center", "region": "europe"},
            {"action": "add_data_center", "region": "asia"},
            {"action": "fail", "node": "europe-web-1"},
        ),
    ),
}


def tries(s: Snapshot) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every action as a page would send it now, and whether the snapshot allows it."""
    st = s.settings
    taken = [c.name or HOME_REGION for c in s.centers]
    site: dict[str, dict[str, Any]] = {
        "set_traffic": {"rps": s.offered_rps},
        "set_balancing": {"algorithm": st.algorithm or "round_robin"},
        "set_autoscaling": {
            "enabled": True,
            "min": st.autoscale_min,
            "max": st.autoscale_max,
            "target_utilization": st.autoscale_target,
        },
        "set_operations": {"monitoring": True, "automation": True},
        "add_shard": {"strategy": st.sharding if st.sharding != "none" else "consistent_hash"},
        "add_data_center": {"region": next((r for r in REGIONS if r not in taken), REGIONS[0])},
        "set_cdn": {"assets": st.cdn_assets},
        "set_sync": {"mode": st.dc_sync},
    }
    per_node = ("fail", "restore", "resize", "remove_web_server", "set_workers")
    per_center = ("fail_data_center", "restore_data_center")
    for action in ACTIONS:
        if action not in per_node + per_center or action == "remove_web_server":
            yield {"action": action, **site.get(action, {})}, s.allows(action)
    for n in s.nodes:
        fields: dict[str, dict[str, Any]] = {
            "resize": {"size": n.size or "m"},
            "set_workers": {"workers": min(max(n.workers, 1), 256)},
        }
        for action in per_node:
            data = {"action": action, "node": n.id, **fields.get(action, {})}
            yield data, s.allows(action, node=n.id)
    for center in s.centers:
        if center.name:
            for action in per_center:
                data = {"action": action, "center": center.name}
                yield data, s.allows(action, center=center.name)


@pytest.mark.parametrize("name", list(RECIPES))
def test_allowed_actions_succeed_and_the_others_change_nothing(name):
    recipe = RECIPES[name]
    s = recipe.build().snapshot()
    assert recipe.build().snapshot() == s  # the copies really are copies
    allowed = refused = 0
    for data, listed in tries(s):
        copy = recipe.build()
        try:
            copy.apply(parse_action(data, "try"))
        except CommandError as error:
            assert not listed, f"{data} is listed as allowed but refused: {error.code}"
            assert copy.snapshot() == s, f"{data} was refused but changed the simulation"
            refused += 1
        else:
            assert listed, f"{data} is not listed as allowed but succeeded"
            allowed += 1
    assert allowed and refused
    if name == "scaled out":
        assert any(e.kind == EventKind.SCALED_OUT for e in s.events)


def test_the_snapshot_covers_the_whole_vocabulary():
    s = RECIPES["three centers opened from the sandbox"].build().snapshot()
    covered = {data["action"] for data, _ in tries(s)}
    assert covered == set(ACTIONS)


def test_what_is_allowed_follows_the_architecture():
    """No load balancer: no algorithm to set; one added: it can be set, and not added again."""
    sim = Simulation(presets.single_server(rps=40))
    before = sim.advance(0.2)
    assert "add_load_balancer" in before.allowed and "set_balancing" not in before.allowed
    assert before.allows("fail", node="web-1") and not before.allows("restore", node="web-1")
    sim.apply(parse_action({"action": "add_load_balancer"}, "a"))
    sim.apply(parse_action({"action": "fail", "node": "web-1"}, "a"))
    after = sim.advance(0.2)
    assert "set_balancing" in after.allowed and "add_load_balancer" not in after.allowed
    assert after.allows("restore", node="web-1") and not after.allows("fail", node="web-1")
    assert replace(after, allowed=frozenset()).allows("set_balancing") is False
