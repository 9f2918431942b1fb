"""The diagram shows load (#14.2): a colour step by utilisation, links as wide as the
traffic they carry, queues as bars, the bottleneck named."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from architect.sandbox.diagram import layout
from architect.sandbox.diagram_load import (
    bottleneck,
    flow_step,
    link_traffic,
    load_step,
    queue_step,
)
from architect.sandbox.diagram_shapes import text_width
from architect.sandbox.live import LiveSession
from architect.sim.commands import SetTraffic
from architect.sim.model import presets
from architect.sim.snapshot import NodeKind, NodeStatus

from helpers.snapshots import node, snapshot


@pytest.mark.parametrize(
    ("utilization", "step"),
    [(0.0, 0), (0.199, 0), (0.2, 1), (0.59, 2), (0.6, 3), (0.8, 4), (0.949, 4), (0.95, 5), (1, 5)],
)
def test_six_steps_of_utilisation(utilization, step):
    assert load_step(utilization) == step


@pytest.mark.parametrize(
    ("rps", "step"),
    [(0, 0), (0.05, 0), (0.5, 1), (9, 1), (10, 2), (99, 2), (100, 3), (5_000, 4), (1e6, 5)],
)
def test_a_link_is_as_wide_as_the_decade_of_its_traffic(rps, step):
    assert flow_step(rps) == step


def test_a_queue_bar_grows_on_a_log_scale_and_fills_at_a_thousand():
    steps = [queue_step(q) for q in (0, 1, 10, 100, 1000, 50_000)]
    assert steps[0] == 0 and steps[1] >= 1 and steps[-2:] == [10, 10]
    assert steps == sorted(steps) and len(set(steps)) == 5


def test_traffic_is_conserved_along_the_links():
    """Each receiver's requests are shared among its senders by what they served: the
    links into a node add up to what it finished, users send DNS every arrival."""
    s = snapshot(
        nodes=(
            node("dns", NodeKind.DNS, throughput_rps=600.0),
            node("lb", NodeKind.LOAD_BALANCER, throughput_rps=600.0),
            node("web-1", throughput_rps=100.0),
            node("web-2", throughput_rps=200.0),
            node("web-3", throughput_rps=300.0),
            node("db", NodeKind.DATABASE, throughput_rps=1200.0),
        ),
        arrivals_rps=610.0,
    )
    traffic = link_traffic(s)
    assert traffic[("users", "dns")] == 610.0
    assert [traffic[("lb", f"web-{i}")] for i in (1, 2, 3)] == [100.0, 200.0, 300.0]
    into_db = [traffic[(f"web-{i}", "db")] for i in (1, 2, 3)]
    assert into_db == pytest.approx([200.0, 400.0, 600.0])  # two queries per request


def test_a_cdn_sends_its_origin_only_its_misses_and_a_down_node_takes_nothing():
    s = snapshot(
        nodes=(
            node("dns", NodeKind.DNS, throughput_rps=1000.0),
            node("cdn", NodeKind.CDN, throughput_rps=400.0),
            node("lb", NodeKind.LOAD_BALANCER, throughput_rps=700.0),
            node("web-1", throughput_rps=700.0),
            node("web-2", status=NodeStatus.DOWN, in_rotation=False, throughput_rps=0.0),
        ),
        links=(("dns", "cdn"), ("cdn", "lb"), ("dns", "lb"), ("lb", "web-1"), ("lb", "web-2")),
        hit_ratios=(("cdn", 0.75),),
        arrivals_rps=1000.0,
    )
    traffic = link_traffic(s)
    assert traffic[("cdn", "lb")] == pytest.approx(100.0)  # a quarter of 400 missed
    assert traffic[("dns", "lb")] == pytest.approx(600.0)
    assert traffic[("lb", "web-2")] == 0.0
    lines = {line.carries: line for line in layout(s).lines}
    assert lines[(("lb", "web-2"),)].dashed  # down: dashed, as before
    assert lines[(("cdn", "lb"),)].flow == 3 and lines[(("dns", "lb"),)].flow == 3
    assert lines[(("users", "dns"),)].flow == 4


def test_an_idle_link_is_marked_unused():
    s = snapshot(
        nodes=(
            node("dns", NodeKind.DNS),
            node("web-1", throughput_rps=0.0, utilization=0.0),
            node("db", NodeKind.DATABASE, throughput_rps=0.0, utilization=0.0),
        ),
        links=(("dns", "web-1"), ("web-1", "db")),
    )
    lines = {line.carries: line for line in layout(s).lines}
    assert lines[(("web-1", "db"),)].flow == 0
    html = render_to_string("sandbox/diagram_svg.html", {"diagram": layout(s), "prefix": "d"})
    assert html.count("link link-unused") == 2  # dns → web-1 and web-1 → db


def test_a_bus_carries_the_sum_of_its_links():
    """Three web servers reach a database and a cache through one bus: each stub carries
    its own links, the spine all of them."""
    webs = tuple(node(f"web-{i}", throughput_rps=4000.0) for i in (1, 2, 3))
    s = snapshot(
        nodes=(
            node("dns", NodeKind.DNS),
            node("lb", NodeKind.LOAD_BALANCER, throughput_rps=12000.0),
            *webs,
            node("cache", NodeKind.CACHE, throughput_rps=90.0),
            node("db", NodeKind.DATABASE, throughput_rps=12000.0),
        ),
        links=(
            ("dns", "lb"),
            *((("lb", f"web-{i}")) for i in (1, 2, 3)),
            *((f"web-{i}", "db") for i in (1, 2, 3)),
            *((f"web-{i}", "cache") for i in (1, 2, 3)),
        ),
    )
    lines = layout(s).lines
    spine = next(line for line in lines if line.spine)
    assert spine.flow == 5  # 12,090 req/s
    stubs = {line.carries: line.flow for line in lines if not line.spine}
    assert stubs[(("web-1", "db"), ("web-1", "cache"))] == 4  # 4,030 req/s
    assert stubs[(("web-1", "db"), ("web-2", "db"), ("web-3", "db"))] == 5  # 12,000
    assert stubs[(("web-1", "cache"), ("web-2", "cache"), ("web-3", "cache"))] == 2  # 90


def test_the_bottleneck_is_the_busiest_working_node():
    s = snapshot()  # web-3 is 90 % busy
    neck = bottleneck(s)
    assert neck is not None and (neck.node, neck.limiting) == ("web-3", True)
    failed = tuple(replace(n, status=NodeStatus.DOWN) if n.id == "web-3" else n for n in s.nodes)
    calm = bottleneck(replace(s, nodes=failed))
    assert calm is not None and (calm.node, calm.limiting) == ("web-2", False)  # 70 %
    boxes = {b.id: b for b in layout(s).boxes}
    assert boxes["web-3"].limiting and not boxes["web-2"].limiting
    assert boxes["web-3"].queue == queue_step(17) > 0


def test_an_overloaded_single_server_is_named_the_bottleneck():
    """Against theory: more requests than one server can serve (rho > 1) keep it busy all
    the time; a tenth of that leaves it mostly idle and limits nothing."""
    service_s = (presets.WEB_SERVICE_MS + presets.DATA_SERVICE_MS) / 1000  # it holds the data
    capacity = LiveSession(presets.single_server).snapshot().node("web-1").workers / service_s
    results = {}
    for share in (0.1, 1.5):
        session = LiveSession(presets.single_server)
        session.apply(SetTraffic(rps=round(share * capacity)))
        for _ in range(40):
            s = session.step(0.2)
        results[share] = bottleneck(s)
    assert results[1.5] is not None and results[1.5].node == "web-1" and results[1.5].limiting
    assert results[0.1] is not None and not results[0.1].limiting
    diagram = layout(s)
    assert next(b for b in diagram.boxes if b.id == "web-1").load == 5


@pytest.mark.parametrize(
    ("language", "limiting", "calm"),
    [
        ("en", "Bottleneck: web-3, busy 90%", "No bottleneck: the busiest node, web-2"),
        ("ko", "병목: web-3", "병목 없음"),
    ],
)
def test_the_key_names_the_bottleneck_in_both_languages(language, limiting, calm):
    s = snapshot()
    failed = tuple(replace(n, status=NodeStatus.DOWN) if n.id == "web-3" else n for n in s.nodes)
    with translation.override(language):
        hot = render_to_string("sandbox/sandbox.html#diagram", {"diagram": layout(s)})
        cool = render_to_string(
            "sandbox/sandbox.html#diagram", {"diagram": layout(replace(s, nodes=failed))}
        )
    assert limiting in hot and "diagram-bottleneck--limiting" in hot
    assert calm in cool and "diagram-bottleneck--limiting" not in cool
    assert 'class="box-halo"' in hot and 'class="box-queue"' in hot
    assert "link link-flow flow-" in hot


@pytest.mark.parametrize("webs", [3, 12])  # two-line boxes, and one-line boxes in two lanes
def test_a_queue_is_a_gauge_up_the_boxs_left_edge_clear_of_its_text(webs):
    """The bar stands inside the box, left of its widest centred text, and grows upwards
    with the queue (it was a strip on the bottom edge, over the figures' descenders)."""
    nodes = tuple(node(f"web-{i}", queued=10**i) for i in range(1, webs + 1))
    diagram = layout(snapshot(nodes=(node("dns", NodeKind.DNS), *nodes), links=()))
    boxes = [b for b in diagram.boxes if b.kind == "web_server"]
    heights = [b.qh for b in boxes]
    assert heights == sorted(heights) and 0 < heights[0] < heights[-1]
    for b in boxes:
        text = f"{b.label} · {b.detail}" if b.compact else max(b.label, b.detail, key=len)
        text_left = b.cx - text_width(text, 12 if b.compact else 13, bold=b.compact) / 2
        assert b.x < b.qx and b.qx + 4 <= text_left, b.id
        assert b.y < b.qy and b.qy + b.qh < b.y + b.h, b.id
