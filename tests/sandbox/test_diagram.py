"""diagram: columns by tier, colours by status and utilisation, dashed when out of rotation."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import translation

from architect.sandbox.diagram import USERS, layout, svg_number, tone
from architect.sandbox.diagram_shapes import FIT_FRAME, FITTED_LABEL_PX, READABLE_SCALE, text_width
from architect.sandbox.fragments import chart_items_of
from architect.sim.commands import (
    AddCache,
    AddCdn,
    AddDataCenter,
    AddLoadBalancer,
    AddMessageQueue,
    AddReplica,
    AddSessionStore,
    AddWebServer,
    FailDataCenter,
    SeparateDatabase,
)
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model import presets
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind, NodeStatus, Snapshot

from helpers.snapshots import blocks_snapshot, everything_snapshot, node, snapshot


@pytest.mark.parametrize(
    ("utilization", "status", "expected"),
    [
        (0.1, NodeStatus.UP, "low"),
        (0.59, NodeStatus.UP, "low"),
        (0.6, NodeStatus.UP, "mid"),
        (0.849, NodeStatus.UP, "mid"),
        (0.85, NodeStatus.UP, "high"),
        (0.1, NodeStatus.DOWN, "down"),
    ],
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
    diagram = layout(
        snapshot(
            nodes=(node("dns", NodeKind.DNS), node("lb", NodeKind.LOAD_BALANCER), *webs), links=()
        )
    )
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


def test_building_blocks_take_their_columns_left_to_right():
    boxes = {b.id: b for b in layout(blocks_snapshot()).boxes}
    xs = [boxes[i].x for i in (USERS, "dns", "cdn", "lb", "web-1", "cache", "db")]
    assert xs == sorted(xs) and len(set(xs)) == 7
    assert boxes["db"].x == boxes["db-r1"].x == boxes["db-r2"].x
    assert boxes["db"].y < boxes["db-r1"].y < boxes["db-r2"].y  # the primary on top


def test_the_primary_is_stacked_first_even_after_a_failover():
    s = blocks_snapshot()
    nodes = tuple(
        replace(n, role={"db": "replica", "db-r1": "primary"}.get(n.id, n.role)) for n in s.nodes
    )
    boxes = [b.id for b in layout(replace(s, nodes=nodes)).boxes if b.kind == "database"]
    assert boxes == ["db-r1", "db", "db-r2"]


def test_database_boxes_say_their_role():
    with translation.override("en"):
        boxes = {b.id: b for b in layout(blocks_snapshot()).boxes}
    assert boxes["db"].detail == "primary · 23%"
    assert boxes["db-r1"].detail == "replica · 30%"


def test_the_cdn_stays_clear_of_the_dns_to_origin_line():
    diagram = layout(blocks_snapshot())
    boxes = {b.id: b for b in diagram.boxes}
    cdn, dns = boxes["cdn"], boxes["dns"]
    assert not cdn.y <= dns.cy <= cdn.y + cdn.h  # the straight DNS → LB line passes by
    links = {(line.x1, line.y1, line.x2, line.y2) for line in diagram.lines}
    assert (dns.x + dns.w, dns.cy, cdn.x, cdn.cy) in links  # DNS → CDN
    assert (cdn.x + cdn.w, cdn.cy, boxes["lb"].x, boxes["lb"].cy) in links  # CDN → origin


def test_the_cache_sits_above_the_rows_of_the_databases():
    boxes = {b.id: b for b in layout(blocks_snapshot()).boxes}
    assert boxes["cache"].y + boxes["cache"].h < boxes["db"].cy


def test_many_web_servers_reach_the_data_tier_over_one_bus():
    diagram = layout(blocks_snapshot(webs=3, replicas=2))
    # users→dns, dns→cdn, cdn→lb, dns→lb, lb→web ×3; bus: 1 trunk + 3 stubs + 4 targets
    assert len(diagram.lines) == 4 + 3 + 1 + 3 + 4
    trunk = [line for line in diagram.lines if line.x1 == line.x2]
    assert len(trunk) == 1


def test_twenty_web_servers_and_eight_replicas_fit_without_overlap():
    diagram = layout(blocks_snapshot(webs=20, replicas=8))
    boxes = diagram.boxes
    assert max(b.y + b.h for b in boxes) <= diagram.height
    assert min(b.y for b in boxes) >= 0
    databases = [b for b in boxes if b.kind == "database"]
    assert not any(b.compact for b in databases)  # room for "replica · 30%"
    for a in boxes:
        for b in boxes:
            if a is not b and a.x == b.x:
                assert a.y + a.h <= b.y or b.y + b.h <= a.y


def test_title_names_the_building_blocks():
    with translation.override("en"):
        diagram = layout(blocks_snapshot())
    assert diagram.title == (
        "Architecture: Users → DNS → CDN (static assets) → load balancer → "
        "2 web servers → cache → database with 2 read replicas."
    )
    assert "db-r1 is 30% busy. It is a read replica." in diagram.description


def test_the_diagram_is_as_tall_as_what_it_draws():
    diagram = layout(blocks_snapshot(webs=2, replicas=4))
    top = min(b.y for b in diagram.boxes)
    bottom = max(b.y + b.h for b in diagram.boxes)
    assert top == pytest.approx(12.0) and bottom == pytest.approx(diagram.height - 12.0)


def test_session_store_and_queue_sit_beside_the_data_and_workers_right_of_the_queue():
    boxes = {b.id: b for b in layout(everything_snapshot()).boxes}
    side = boxes["cache"].x
    assert boxes["sessions"].x == boxes["mq"].x == side < boxes["db"].x == boxes["workers"].x
    databases = [boxes[i] for i in ("db", "db-r1", "db-s1")]
    assert boxes["cache"].y + boxes["cache"].h < min(b.y for b in databases)
    assert max(b.y + b.h for b in databases) < boxes["sessions"].y < boxes["mq"].y
    assert boxes["workers"].cy == boxes["mq"].cy  # mq → workers is one straight line


def test_the_queue_feeds_the_worker_pool():
    diagram = layout(everything_snapshot())
    boxes = {b.id: b for b in diagram.boxes}
    mq, workers = boxes["mq"], boxes["workers"]
    assert (mq.x + mq.w, mq.cy, workers.x, workers.cy, False) in {
        (line.x1, line.y1, line.x2, line.y2, line.dashed) for line in diagram.lines
    }


def test_shards_say_which_shard_they_hold_and_stack_after_the_first_shards_replicas():
    with translation.override("en"):
        diagram = layout(everything_snapshot(shards=3))
    boxes = {b.id: b for b in diagram.boxes}
    assert boxes["db"].detail == "shard 0 · 23%"
    assert boxes["db-s1"].detail == "shard 1 · 40%"
    assert boxes["db-r1"].detail == "replica · 30%"
    assert boxes["db"].y < boxes["db-r1"].y < boxes["db-s1"].y < boxes["db-s2"].y
    assert "It is the primary of shard 2" in diagram.description


def test_booting_web_servers_are_dashed_and_say_so():
    with translation.override("en"):
        diagram = layout(everything_snapshot(webs=4, booting=1))
    web4 = next(b for b in diagram.boxes if b.id == "web-4")
    assert web4.dashed and web4.detail == "booting"
    stubs = [line for line in diagram.lines if line.y1 == web4.cy and line.x1 == web4.x + web4.w]
    assert stubs and all(line.dashed for line in stubs)


def test_title_names_shards_sessions_and_the_queue():
    with translation.override("en"):
        diagram = layout(everything_snapshot(shards=2, replicas=1))
    assert diagram.title == (
        "Architecture: Users → DNS → CDN (static assets) → load balancer → 3 web servers → "
        "cache → database in 2 shards with 1 read replica. Sessions are kept in a shared "
        "store. Background jobs go through a message queue to a worker pool."
    )


def test_twenty_web_servers_four_shards_eight_replicas_and_every_block_fit_without_overlap():
    diagram = layout(everything_snapshot(webs=20, replicas=8, shards=4, booting=2))
    boxes = diagram.boxes
    assert max(b.y + b.h for b in boxes) <= diagram.height
    assert min(b.y for b in boxes) >= 0
    assert max(b.x + b.w for b in boxes) <= diagram.width
    databases = [b for b in boxes if b.kind == "database"]
    assert len(databases) == 12
    assert not any(b.compact for b in databases)  # still two lines: "shard 2 · 40%"
    for a in boxes:
        for b in boxes:
            if a is not b and a.x == b.x:
                assert a.y + a.h <= b.y or b.y + b.h <= a.y


def _two_centers(fail: str = ""):
    sim = Simulation(presets.single_server(100), seed=1)
    for command in (
        AddLoadBalancer(),
        SeparateDatabase(),
        AddCache(),
        AddReplica(),
        AddDataCenter("", "asia"),
    ):
        sim.apply(command)
    if fail:
        sim.apply(FailDataCenter(fail))
    return sim.advance(1)


def test_each_data_center_is_a_labelled_band_holding_its_own_nodes():
    s = _two_centers()
    with translation.override("en"):
        diagram = layout(s)
    bands = {b.id: b for b in diagram.bands}
    assert [b.label for b in diagram.bands] == ["Data center US East", "Data center Asia"]
    us, asia = bands["us-east"], bands["asia"]
    assert us.y + us.h < asia.y  # one above the other, apart
    for box in diagram.boxes:
        node = next((n for n in s.nodes if n.id == box.id), None)
        if node is None or not node.dc:
            continue
        band = bands[node.dc]
        assert band.x <= box.x and box.x + box.w <= band.x + band.w
        assert band.y <= box.y and box.y + box.h <= band.y + band.h
    for (
        line
    ) in diagram.lines:  # no bus joins the centers: each line stays in one band or leaves DNS
        inside = [
            b
            for b in diagram.bands
            if b.y <= min(line.y1, line.y2) and max(line.y1, line.y2) <= b.y + b.h
        ]
        assert inside or line.x1 <= us.x
    assert diagram.height >= asia.y + asia.h
    assert "2 data centers" in diagram.title and "Asia" in diagram.title


def test_a_failed_center_is_greyed_and_says_so_in_words():
    with translation.override("en"):
        diagram = layout(_two_centers(fail="asia"))
    asia = next(b for b in diagram.bands if b.id == "asia")
    assert asia.down and asia.label == "Data center Asia · down"
    assert not next(b for b in diagram.bands if b.id == "us-east").down


def test_one_unnamed_center_has_no_band():
    assert layout(snapshot()).bands == ()


def test_one_named_center_is_a_band_that_says_where_it_stands():
    data = dump_topology(presets.single_server(100))
    for item in data["nodes"]:
        if item["kind"] != "dns":
            item["dc"] = "us-east"
    with translation.override("en"):
        diagram = layout(Simulation(load_topology(data), seed=1).advance(1))
    assert [b.label for b in diagram.bands] == ["Data center US East"]
    assert "It runs in 1 data center: US East." in diagram.title


def test_the_bands_fit_inside_the_picture():
    diagram = layout(_two_centers())
    assert all(b.x >= 0 and b.x + b.w <= diagram.width and b.y >= 0 for b in diagram.bands)


def test_an_architecture_without_a_run_says_nothing_about_busy():
    """The evolution page draws architectures: roles stay, utilisation goes."""
    s = Simulation(presets.single_server(100), seed=1)
    s.apply(SeparateDatabase())
    snap = s.advance(2)
    live, still = layout(snap), layout(snap, live=False)
    assert any("%" in b.detail for b in live.boxes) and "busy" in live.description
    assert not any("%" in b.detail for b in still.boxes) and "busy" not in still.description
    assert [b.id for b in still.boxes] == [b.id for b in live.boxes]
    with translation.override("en"):
        db = next(b for b in layout(snap, live=False).boxes if b.id == "db")
    assert db.detail == "primary"


@pytest.mark.parametrize(
    "value",
    [
        0.0,
        -0.0,
        -0.04,
        -0.05,
        0.05,
        12.25,
        12.75,
        12.35,
        34.45,
        1 / 3,
        2 / 3,
        99.95,
        120.0,
        1234.56,
        -20.25,
        56 / 3 * 7,
        1e-9,
    ],
)
@pytest.mark.parametrize("places", [0, 1])
def test_svg_numbers_are_written_as_floatformat_wrote_them(value, places):
    """Half up and unlocalised: the diagram's markup is the same as before it was cached."""
    with translation.override("ko"):
        assert svg_number(value, places) == floatformat(value, f"{places}u")


def test_a_layout_gives_its_svg_numbers_ready_made():
    """Every coordinate the template writes, as Django's floatformat (half up, one place;
    the picture's size with none) writes the number the layout holds."""
    with translation.override("en"):
        diagram = layout(everything_snapshot())
        assert diagram.boxes and diagram.lines
        for box in diagram.boxes:
            for name in ("x", "y", "w", "h", "cx", "cy"):
                value = getattr(box, name)
                assert getattr(box, f"svg_{name}") == floatformat(value, "1u"), (box.id, name)
        for line in diagram.lines:
            for name in ("x1", "y1", "x2", "y2"):
                assert getattr(line, f"svg_{name}") == floatformat(getattr(line, name), "1u")
        assert diagram.svg_width == floatformat(diagram.width, "0u")
        assert diagram.svg_height == floatformat(diagram.height, "0u")
    assert box.cy == box.y + box.h / 2  # the centre the links meet


def test_cached_words_follow_the_figures_shown_the_language_and_the_architecture():
    """The title and description are cached, yet say what this snapshot shows."""
    s = snapshot()
    busier = replace(
        s, nodes=tuple(replace(n, utilization=0.57) if n.id == "web-1" else n for n in s.nodes)
    )
    jitter = replace(
        s, nodes=tuple(replace(n, utilization=0.5701) if n.id == "web-1" else n for n in s.nodes)
    )
    with translation.override("en"):
        first, again = layout(s), layout(s)
        hotter, same = layout(busier), layout(jitter)
        bigger = layout(blocks_snapshot(webs=3))
    with translation.override("ko"):
        korean = layout(s)
    assert first.description == again.description and first.title == again.title
    assert "web-1 is 57% busy." in hotter.description and "57%" not in first.description
    assert same.description == hotter.description
    assert bigger.title != first.title and "3 web servers" in bigger.title
    assert "사용자" in korean.title and "Users" not in korean.title  # "Users", in Korean
    assert korean.description != first.description


@pytest.mark.parametrize("live", [True, False])
def test_a_cached_layout_is_the_layout_drawn_afresh(live):
    """Figures that move every tick, a failure and a language change: the diagram is
    what an uncached layout of the same snapshot gives."""
    from architect.sandbox.diagram import _layout

    base = everything_snapshot()
    first = base.nodes[3].id

    def varied(util: float, down: bool = False):
        return replace(
            base,
            nodes=tuple(
                replace(
                    n,
                    utilization=util * (i + 1) % 1,
                    status=NodeStatus.DOWN if down and n.id == first else n.status,
                )
                for i, n in enumerate(base.nodes)
            ),
        )

    snapshots = [varied(0.13), varied(0.29), varied(0.29, down=True), varied(0.61)]
    for language in ("en", "ko"):
        with translation.override(language):
            for s in snapshots:
                assert layout(s, live=live) == _layout(s, live)


@functools.cache
def _thirty_nodes_in_three_centers():
    """Stage 13's architecture copied into two more data centers: 32 nodes, 3 centers."""
    sim = Simulation(presets.single_server(300), seed=1)
    for command in (
        AddLoadBalancer(),
        SeparateDatabase(),
        AddWebServer(),
        AddCache(),
        AddReplica(),
        AddReplica(),
        AddSessionStore(),
        AddMessageQueue(),
        AddCdn(),
        AddDataCenter("", "asia"),
        AddDataCenter("", "europe"),
    ):
        sim.apply(command)
    return sim.advance(1)


def _overlap(a, b) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def _smallest_diagram_font() -> float:
    css = (settings.BASE_DIR / "static" / "css" / "sandbox.css").read_text()
    rules = re.findall(r"\.sandbox-diagram[^{]*\{([^}]*)\}", css)
    return min(
        float(size) for rule in rules for size in re.findall(r"font-size:\s*([\d.]+)px", rule)
    )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_thirty_nodes_in_three_centers_lay_out_without_overlaps_and_readable(language):
    s = _thirty_nodes_in_three_centers()
    assert len(s.nodes) >= 30 and len({n.dc for n in s.nodes if n.dc}) == 3
    with translation.override(language):
        diagram = layout(s)
    boxes = diagram.boxes
    assert len(boxes) == len(s.nodes) + 1  # and the users
    for i, a in enumerate(boxes):
        assert not any(_overlap(a, b) for b in boxes[i + 1 :]), a.id
        label, detail = (13, 12) if a.tight else (15, 13)
        if a.compact:
            assert text_width(f"{a.label} · {a.detail}", 12, bold=True) <= a.w, a.id
        else:  # the label and the detail fit the box, whatever the figures say
            assert text_width(a.label, label, bold=True) <= a.w, a.id
            assert text_width(a.detail, detail) <= a.w, a.id
    assert len(diagram.bands) == 3
    for i, band in enumerate(diagram.bands):
        assert not any(_overlap(band, other) for other in diagram.bands[i + 1 :])
    # drawn at READABLE_SCALE CSS px a unit (a larger diagram pans): no label under 11 px
    assert _smallest_diagram_font() * READABLE_SCALE >= 11
    shown = float(diagram.svg_shown_width)
    assert shown == pytest.approx(diagram.width * READABLE_SCALE, abs=1)


def test_a_box_inside_its_centers_band_drops_the_centers_prefix():
    with translation.override("en"):
        boxes = {b.id: b for b in layout(_thirty_nodes_in_three_centers()).boxes}
    assert boxes["asia-web-1"].label == "web-1" and boxes["web-1"].label == "web-1"
    assert boxes["europe-sessions"].label == "sessions"


def test_a_long_name_widens_its_columns_boxes_and_no_other():
    s = snapshot()
    long = replace(
        s,
        nodes=tuple(
            replace(n, id="web-server-number-1") if n.id == "web-1" else n for n in s.nodes
        ),
    )
    boxes = {b.id: b for b in layout(long).boxes}
    wide = boxes["web-server-number-1"]
    assert text_width(wide.label, 15, bold=True) <= wide.w
    before = {b.id: b for b in layout(s).boxes}
    assert boxes["web-2"].w == boxes["web-3"].w == wide.w > before["web-2"].w
    assert boxes["db"].w == before["db"].w < wide.w  # the other columns keep their width
    assert boxes["lb"].w == before["lb"].w < wide.w


def _stage_13() -> Snapshot:
    """Stage 13's architecture: four web servers, five rows of data and side blocks."""
    sim = Simulation(presets.single_server(300), seed=1)
    for command in (
        AddLoadBalancer(),
        SeparateDatabase(),
        AddWebServer(),
        AddWebServer(),
        AddWebServer(),
        AddCache(),
        AddReplica(),
        AddSessionStore(),
        AddMessageQueue(),
        AddCdn(),
    ):
        sim.apply(command)
    return sim.advance(1)


def test_stage_13s_architecture_shrinks_to_fit_one_screen_and_thirty_nodes_pan():
    """Stage 13 (four web servers, five rows of data and side blocks) fits the smallest
    one-screen frame with its labels at FITTED_LABEL_PX or more; 32 nodes in 3 centers
    would not, so they keep their readable scale and pan (sandbox.css)."""
    for language in ("en", "ko"):
        with translation.override(language):
            stage_13 = layout(_stage_13())
            thirty = layout(_thirty_nodes_in_three_centers())
        assert len([b for b in stage_13.boxes if b.id.startswith("web-")]) == 4
        scale = min(FIT_FRAME[0] / stage_13.width, FIT_FRAME[1] / stage_13.height)
        assert scale * stage_13.smallest_font >= FITTED_LABEL_PX
        assert stage_13.svg_fit == "fit"
        assert thirty.svg_fit == "fixed"


def _crosses(line, box, inset: float = 0.5) -> bool:
    """Whether ``line`` runs through ``box``'s inside (its edges, less ``inset``, excluded):
    the segment clipped to the rectangle (Liang–Barsky) is not empty."""
    x0, y0, dx, dy = line.x1, line.y1, line.x2 - line.x1, line.y2 - line.y1
    low, high = 0.0, 1.0
    for p, q in (
        (-dx, x0 - (box.x + inset)),
        (dx, box.x + box.w - inset - x0),
        (-dy, y0 - (box.y + inset)),
        (dy, box.y + box.h - inset - y0),
    ):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
    return low < high


CROWDED: dict[
    str, Callable[[], Snapshot]
] = {  # architectures whose lines have the least room between boxes
    "stage 13": _stage_13,
    "7 web servers": lambda: blocks_snapshot(webs=7),
    "10 web servers, every block": lambda: everything_snapshot(webs=10, booting=1),
    "20 web servers, 8 replicas": lambda: everything_snapshot(webs=20, replicas=8, shards=4),
    "two centers": _two_centers,
    "three centers": _thirty_nodes_in_three_centers,
}


@pytest.mark.parametrize("name", CROWDED)
def test_no_line_runs_through_a_box_it_does_not_join(name):
    """Each link's line (or a bus's stub) may end at its own nodes' boxes; it runs through
    no other box, and a bus's vertical line through none at all."""
    diagram = layout(CROWDED[name]())
    for line in diagram.lines:
        joins = set() if line.spine else {i for pair in line.carries for i in pair}
        crossed = [b.id for b in diagram.boxes if b.id not in joins and _crosses(line, b)]
        assert crossed == [], (line, crossed)


@pytest.mark.parametrize("webs", [5, 8, 12])
def test_many_web_servers_stand_zig_zag_in_two_lanes_half_as_tall(webs):
    diagram = layout(blocks_snapshot(webs=webs))
    servers = [b for b in diagram.boxes if b.kind == "web_server"]
    first, second = servers[0::2], servers[1::2]  # web-1, web-3, … and web-2, web-4, …
    assert len({b.x for b in first}) == len({b.x for b in second}) == 1
    assert second[0].x >= first[0].x + first[0].w  # the lanes side by side, apart
    assert [b.y for b in servers] == sorted(b.y for b in servers)  # in order, downwards
    for i, a in enumerate(servers):
        assert not any(_overlap(a, b) for b in servers[i + 1 :]), a.id
    # the straight column they replace: two-line boxes 34 units high, a quarter apart
    straight = webs * 34 + (webs - 1) * 34 / 4
    tall = max(b.y + b.h for b in servers) - min(b.y for b in servers)
    assert tall <= 0.6 * straight
    # each lane's boxes are apart enough for the other lane's lines to pass between them
    for lane in (first, second):
        for upper, lower in itertools.pairwise(lane):
            assert lower.y - (upper.y + upper.h) >= 8


def _solved(unit):
    sim = Simulation(unit.run_topology(), seed=1)
    for command in unit.solution_commands():
        sim.apply(command)
    return sim.advance(1)


def _shipped_units():
    from lessons.checker import with_experiments
    from lessons.format import read_plan_file

    plans = sorted((settings.BASE_DIR / "lessons" / "plans").glob("*.yaml"))
    return [
        unit
        for path in plans
        for stage in read_plan_file(path, source=path.name)[0].stages
        for _name, unit in with_experiments(stage)
    ]


def test_every_shipped_stage_and_experiment_fits_one_screen_with_readable_labels():
    """#14.1: the architecture of every stage's and experiment's solution shrinks into the
    smallest one-screen frame (a stage at 1280×720) with labels at FITTED_LABEL_PX or
    more, in both languages: no node the learner must pan to while the run plays."""
    units = _shipped_units()
    assert len(units) >= 15
    for unit in units:
        solved = _solved(unit)
        for language in ("en", "ko"):
            with translation.override(language):
                diagram = layout(solved)
            scale = min(FIT_FRAME[0] / diagram.width, FIT_FRAME[1] / diagram.height)
            assert scale * diagram.smallest_font >= FITTED_LABEL_PX, (unit.slug, language)
            assert diagram.svg_fit == "fit", (unit.slug, language)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_chart_keys_name_the_data_center_of_a_node_whose_id_does_not(language):
    """Issue #14.3: with two centers the first center's "cache" is charted beside
    "asia-cache": its key says its center, as the servers table does."""
    with translation.override(language):
        items = {item["chart"].key: item for item in chart_items_of(_two_centers())}
    hits = items["hits"]
    names = [hits["caption"].split(" · ")[-1], *(line["name"] for line in hits["lines"])]
    us_east = {"en": "US East", "ko": "미국 동부"}[language]
    assert sorted(names) == sorted(["asia-cache", f"cache ({us_east})"])
