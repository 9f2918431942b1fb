"""The building-block registry: one module per kind, each complete, and what reads it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from architect.sim.blocks import BLOCKS, OUTSIDE_CENTERS, TIERS, may_link
from architect.sim.model import presets
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import Topology
from architect.sim.model.validate import validate
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind

KO_CATALOGUE = Path(__file__).parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_every_kind_has_its_own_module_holding_its_block():
    """``architect.sim.blocks.<kind>`` holds the block of each kind, and the registry has it."""
    assert list(BLOCKS) == list(NodeKind)
    for kind in NodeKind:
        module = importlib.import_module(f"architect.sim.blocks.{kind.value}")
        assert module.BLOCK is BLOCKS[kind]
        assert module.BLOCK.kind == kind


def test_tiers_order_every_kind_once_left_to_right():
    assert sorted(TIERS) == sorted(NodeKind)
    assert [BLOCKS[kind].tier for kind in TIERS] == sorted({b.tier for b in BLOCKS.values()})
    assert TIERS[0] == NodeKind.DNS  # users reach DNS first


def test_requests_flow_through_stations_in_a_single_upstream_order():
    """Aggregate mode steps stations upstream first: every kind with a station has its place."""
    stationed = [b for b in BLOCKS.values() if b.flow is not None]
    orders = [b.path_order for b in stationed]
    assert len(set(orders)) == len(orders)
    for block in BLOCKS.values():
        for target in block.sends_to:
            if block.flow is not None and BLOCKS[target].flow is not None:
                assert BLOCKS[target].path_order > block.path_order, (block.kind, target)


def test_only_dns_has_no_station_and_no_rules():
    assert [k for k, b in BLOCKS.items() if b.wire is None] == [NodeKind.DNS]
    assert [k for k, b in BLOCKS.items() if b.flow is None] == [NodeKind.DNS]


def test_every_label_is_translated_into_korean():
    """A block's label is an N_ msgid; the Korean catalogue must translate it."""
    catalogue = KO_CATALOGUE.read_text(encoding="utf-8")
    for block in BLOCKS.values():
        found = re.search(rf'^msgid "{re.escape(block.label)}"\nmsgstr "(.+)"$', catalogue, re.M)
        assert found, f"{block.label!r} has no Korean translation"


@pytest.mark.parametrize("kind", list(NodeKind))
def test_a_node_from_each_preset_has_only_valid_fields(kind):
    """Every field a preset sets is one the validator accepts."""
    base = presets.single_server()
    spec = presets.node(kind, "new")
    index = len(base.nodes)
    problems = validate(Topology(name="t", nodes=(*base.nodes, spec), links=base.links))
    assert [str(p) for p in problems if p.path.startswith(f"nodes[{index}].")] == []
    assert spec.kind == kind


def test_the_chapters_links_are_allowed_and_a_backwards_one_is_not():
    for source, target in (
        (NodeKind.DNS, NodeKind.LOAD_BALANCER),
        (NodeKind.DNS, NodeKind.CDN),
        (NodeKind.CDN, NodeKind.LOAD_BALANCER),
        (NodeKind.LOAD_BALANCER, NodeKind.WEB_SERVER),
        (NodeKind.WEB_SERVER, NodeKind.CACHE),
        (NodeKind.WEB_SERVER, NodeKind.DATABASE),
        (NodeKind.MESSAGE_QUEUE, NodeKind.WORKER_POOL),
    ):
        assert may_link(source, target), (source, target)
    assert not may_link(NodeKind.DATABASE, NodeKind.WEB_SERVER)
    assert not may_link(NodeKind.WEB_SERVER, NodeKind.WORKER_POOL)


def test_a_link_the_blocks_do_not_allow_is_refused():
    top = presets.single_server()
    db = presets.database("db")
    bad = Topology(
        name="t", nodes=(*top.nodes, db), links=(*top.links, ("web-1", "db"), ("db", "web-1"))
    )
    assert not may_link(NodeKind.DATABASE, NodeKind.WEB_SERVER)
    with pytest.raises(TopologyError) as raised:
        Simulation(bad)
    assert [p.path for p in raised.value.problems] == ["links[2]"]


def test_kinds_outside_the_centers_are_the_front_door():
    assert OUTSIDE_CENTERS == (NodeKind.DNS, NodeKind.CDN)
    assert all(BLOCKS[k].edge or k == NodeKind.DNS for k in OUTSIDE_CENTERS)


def test_cost_of_a_node_is_its_workers_or_its_kinds_fee():
    lb = presets.load_balancer()
    assert lb.cost_per_month() == presets.load_balancer().cost_per_month() > 0
    small = presets.web_server("web-1", holds_data=False, size="s")
    large = presets.web_server("web-1", holds_data=False, size="l")
    assert large.cost_per_month() == 4 * small.cost_per_month() > 0  # 16 vCPUs against 4
