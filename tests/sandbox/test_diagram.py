"""diagram: columns by tier, colours by status and utilisation, dashed when out of rotation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import translation

from architect.sandbox.diagram import USERS, layout, tone
from architect.sim.snapshot import NodeKind, NodeStatus

from .factories import node, snapshot


@pytest.mark.parametrize(
    ("utilization", "status", "expected"),
    [(0.1, NodeStatus.UP, "low"), (0.59, NodeStatus.UP, "low"), (0.6, NodeStatus.UP, "mid"),
     (0.849, NodeStatus.UP, "mid"), (0.85, NodeStatus.UP, "high"), (0.1, NodeStatus.DOWN, "down")],
)
def test_tone(utilization, status, expected):
    assert tone(node("web-1", utilization=utilization, status=status)) == expected


def test_tiers_are_columns_left_to_right_and_web_servers_are_stacked():
    boxes = {b.id: b for b in layout(snapshot()).boxes}
    xs = [boxes[i].x for i in (USERS, "dns", "lb", "web-1", "db")]
    assert xs == sorted(xs) and len(set(xs)) == 5
    assert boxes["web-1"].x == boxes["web-2"].x == boxes["web-3"].x
    assert boxes["web-1"].y < boxes["web-2"].y < boxes["web-3"].y


def test_links_join_box_edges_and_users_reach_dns():
    diagram = layout(snapshot())
    boxes = {b.id: b for b in diagram.boxes}
    assert len(diagram.lines) == 8  # seven links plus users → DNS
    first = diagram.lines[0]  # dns → lb
    assert (first.x1, first.x2) == (boxes["dns"].x + boxes["dns"].w, boxes["lb"].x)


def test_down_and_out_of_rotation_nodes_are_marked_and_their_links_dashed():
    s = snapshot()
    nodes = tuple(
        replace(n, status=NodeStatus.DOWN, in_rotation=False) if n.id == "web-2" else n
        for n in s.nodes
    )
    diagram = layout(replace(s, nodes=nodes))
    web2 = next(b for b in diagram.boxes if b.id == "web-2")
    assert web2.tone == "down" and web2.dashed and web2.detail == "down"
    dashed = [line for line in diagram.lines if line.dashed]
    assert len(dashed) == 2  # lb → web-2 and web-2 → db


def test_twenty_web_servers_fit_with_smaller_boxes():
    webs = tuple(node(f"web-{i}") for i in range(1, 21))
    diagram = layout(snapshot(nodes=(node("dns", NodeKind.DNS), node("lb", NodeKind.LOAD_BALANCER),
                                     *webs), links=()))
    boxes = [b for b in diagram.boxes if b.id.startswith("web-")]
    assert all(b.compact for b in boxes)
    assert max(b.y + b.h for b in boxes) <= diagram.height


def test_title_summarises_the_architecture():
    with translation.override("en"):
        diagram = layout(snapshot())
        single = layout(snapshot(nodes=(node("dns", NodeKind.DNS), node("web-1"))))
    assert diagram.title == (
        "Architecture: Users → DNS → load balancer → 3 web servers → database."
    )
    assert single.title == "Architecture: Users → DNS → 1 web server (holding the data)."
    assert "web-3 is 90% busy." in diagram.description
