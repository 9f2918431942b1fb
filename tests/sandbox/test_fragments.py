"""fragments: snapshots rendered by the page's own partials, as out-of-band swaps."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from xml.etree import ElementTree

import pytest
from django.utils import translation

from architect.sandbox.controls import allowed, data_centers
from architect.sandbox.fragments import Renderer, node_rows, page_context, render
from architect.sandbox.live import LiveStatus
from architect.sim import commands as c
from architect.sim.commands import AddDataCenter, AddLoadBalancer, FailDataCenter, SeparateDatabase
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model import presets
from architect.sim.simulation import Simulation
from architect.sim.snapshot import (
    Event,
    EventKind,
    Latency,
    NodeStatus,
    SeriesPoint,
    Settings,
    Snapshot,
)

from helpers.snapshots import blocks_snapshot, everything_snapshot, snapshot

RUNNING = LiveStatus(paused=False, speed=1, ratio=1.0)


def top_level_ids(html: str) -> list[str]:
    """Ids of elements that carry hx-swap-oob (what htmx swaps)."""
    return re.findall(r'<\w+ id="([^"]+)"[^>]*hx-swap-oob="[^"]+"', html)


def test_a_full_render_has_every_part_as_an_oob_swap():
    with translation.override("en"):
        html = Renderer().render(snapshot(), RUNNING, error="", full=True)
    ids = top_level_ids(html)
    for part in ("status", "metrics", "charts", "diagram", "nodes", "events", "error", "controls"):
        assert part in ids
    assert 'id="error" class="sandbox-error" role="alert" hx-swap-oob="innerHTML"' in html
    assert 'role="log" aria-live="polite"' in html


def shown(html: str, label: str) -> str | None:
    """What the metrics panel shows for ``label``: the value and its unit, e.g. "87 %"."""
    found = re.search(
        rf'>{re.escape(label)}</button></dt><dd>(\$?)<span id="metric-[a-z_0-9]+"'
        rf' hx-swap-oob="true">([^<]*)</span>(?: <small>([^<]*)</small>)?',
        html,
    )
    if found is None:
        return None
    return " ".join(part for part in (found[1] + found[2], found[3]) if part)


def test_metrics_are_formatted():
    with translation.override("en"):
        html = render(["metrics"], page_context(snapshot(), RUNNING))
    assert "12,345" in html  # offered
    assert "11,800" in html or "11,801" in html  # served, rounded
    assert "1,234" in html or "1,235" in html  # p99 ms
    assert shown(html, "Errors") == "1.2 %"
    assert shown(html, "Availability") == "98.8 %"
    assert shown(html, "Monthly cost") == "$560"


def test_no_completions_shows_a_dash_for_latency():
    with translation.override("en"):
        html = render(["metrics"], page_context(snapshot(latency=None), RUNNING))
    assert [shown(html, f"{p} latency") for p in ("p50", "p95", "p99")] == ["— ms"] * 3


def test_diagram_colours_boxes_by_utilisation_and_status():
    s = snapshot()
    nodes = tuple(replace(n, status=NodeStatus.DOWN) if n.id == "web-1" else n for n in s.nodes)
    with translation.override("en"):
        html = render(["diagram"], page_context(replace(s, nodes=nodes), RUNNING))
    assert 'class="box box-down" data-node="web-1"' in html
    # 70 % busy: the fourth step of six (60-80 %); 90 %: the fifth (80-95 %), and the busiest
    # node past 85 % is the bottleneck, named under the diagram.
    assert 'class="box box-mid load-3" data-node="web-2"' in html
    assert 'class="box box-high load-4 box-limiting" data-node="web-3"' in html
    assert "Bottleneck: web-3, busy 90%" in html
    assert 'class="box-cross"' in html
    assert ' viewBox="0 0 ' in html and 'aria-labelledby="diagram-title diagram-desc"' in html


def test_status_says_when_the_machine_cannot_keep_up():
    with translation.override("en"):
        slow = render(["status"], page_context(snapshot(), LiveStatus(False, 1, 0.4)))
        fine = render(["status"], page_context(snapshot(), LiveStatus(False, 1, 0.97)))
        paused = render(["status"], page_context(snapshot(), LiveStatus(True, 2, 0.1)))
    assert "running at 0.4× real time" in slow
    assert "real time" not in fine
    assert "Paused" in paused and "real time" not in paused


def test_status_says_which_mode_simulates_the_traffic():
    """Every request below the threshold; flows in 1 ms steps above it, in both languages."""

    def per_request() -> dict[str, Any]:  # a context is built in the language it is drawn in
        return page_context(snapshot(), RUNNING)

    def aggregate() -> dict[str, Any]:
        return page_context(replace(snapshot(), mode="aggregate"), RUNNING)

    with translation.override("en"):
        assert "Simulating every request" in render(["status"], per_request())
        html = render(["status"], aggregate())
        assert "Aggregate mode: queues advanced in 1 ms steps" in html
        assert "Simulating every request" not in html
    with translation.override("ko"):
        korean = render(["status"], aggregate())
    assert "집계 모드: 대기열을 1ms 단위로 진행합니다" in korean
    assert "Aggregate mode" not in korean


def test_forms_are_sent_only_when_they_change():
    renderer = Renderer()
    with translation.override("en"):
        first = renderer.render(snapshot(), RUNNING, full=True)
        s = snapshot(t=13.4, throughput_rps=5.0)  # the next second
        busier = tuple(replace(n, utilization=0.95) if n.id == "web-3" else n for n in s.nodes)
        tick = renderer.render(replace(s, nodes=busier), RUNNING)
        paused = renderer.render(snapshot(t=12.6), LiveStatus(True, 1, None))
    assert 'id="controls"' in first and 'id="nodes"' in first
    assert 'id="controls"' not in tick and 'id="nodes"' not in tick
    assert 'id="busy-web-3" hx-swap-oob="true">95 %' in tick  # live cells still update
    assert 'id="controls"' in paused and ">Resume<" in paused


def sent(html: str) -> set[str]:
    """The parts a message carries (the node table's live cells as "nodestats", the
    metrics' values as "metricvalues", single charts as "chartitems")."""
    ids = set(top_level_ids(html))
    return {
        "nodestats"
        if i.startswith(("busy-", "queue-"))
        else "metricvalues"
        if i.startswith("metric-")
        else "chartitems"
        if i.startswith("chartbox-")
        else i
        for i in ids
    }


def test_a_tick_sends_only_the_parts_that_changed():
    """A second closed and the served rate changed: status and that metric's value; the
    charts move when the closed second reaches them; the diagram and the node table's
    cells are left as the browser has them."""
    renderer = Renderer()
    s = snapshot()
    with translation.override("en"):
        renderer.render(s, RUNNING, full=True)
        tick = renderer.render(replace(s, t=s.t + 1, throughput_rps=5.0), RUNNING)
        same = renderer.render(replace(s, t=s.t + 1, throughput_rps=5.0), RUNNING)
        closed = SeriesPoint(t=s.t + 2, throughput_rps=5.0, p99_ms=40.0, error_rate=0.0)
        second = renderer.render(
            replace(s, t=s.t + 2, throughput_rps=5.0, series=(*s.series, closed)), RUNNING
        )
    assert sent(tick) == {"status", "metricvalues"}
    assert 'id="diagram"' not in tick and "busy-web-1" not in tick
    assert 'id="metrics"' not in tick  # the panel stays; only the served value changed
    assert re.findall(r'id="(metric-[a-z_0-9]+)"', tick) == ["metric-served"]
    assert sent(same) == set()  # nothing changed: an empty message
    assert same == ""
    assert sent(second) == {"status", "chartitems"}  # a second closed: the charts move
    assert 'id="charts"' not in second  # each chart alone, not the row


def steady(seconds: int, **fields: Any) -> Snapshot:
    """``seconds`` closed seconds of rising traffic at a steady p99, error rate and cost."""
    series = tuple(
        SeriesPoint(t=float(n), throughput_rps=100.0 * n, p99_ms=50.0, error_rate=0.01, **fields)
        for n in range(1, seconds + 1)
    )
    return snapshot(t=seconds + 0.2, series=series, events=())


def test_a_closed_second_sends_only_the_charts_whose_drawing_changed():
    """Once the 60 s window is full a steady measure draws the same line again: the next
    second sends the served chart (rising), not latency, errors or cost; a chart that
    appears (a cache's hit ratio) redraws the whole row; within a second, no chart."""
    renderer = Renderer()
    with translation.override("en"):
        renderer.render(steady(70), RUNNING, full=True)
        inside = renderer.render(replace(steady(70), t=70.8), RUNNING)
        closed = renderer.render(steady(71), RUNNING)
        cached = renderer.render(steady(72, hit_ratios=(("cache", 0.5),)), RUNNING)
        again = renderer.render(steady(73, hit_ratios=(("cache", 0.5),)), RUNNING)
    assert sent(inside) == {"status"}
    assert re.findall(r'<figure id="([^"]+)"', closed) == ["chartbox-throughput"]
    assert 'id="charts"' not in closed
    assert 'id="charts"' in cached and 'id="chartbox-hits"' in cached
    assert re.findall(r'<figure id="([^"]+)"', again) == ["chartbox-throughput"]


def test_a_changed_part_is_sent_again():
    renderer = Renderer()
    s = snapshot()
    hotter = tuple(replace(n, utilization=0.5) if n.id == "web-1" else n for n in s.nodes)
    down = tuple(replace(n, status=NodeStatus.DOWN) if n.id == "web-2" else n for n in s.nodes)
    with translation.override("en"):
        renderer.render(s, RUNNING, full=True)
        busier = renderer.render(replace(s, t=s.t + 1, nodes=hotter), RUNNING)
        failed = renderer.render(replace(s, t=s.t + 1, nodes=down), RUNNING)
        paused = renderer.render(replace(s, nodes=down), LiveStatus(True, 1, 1.0))
    assert sent(busier) == {"status", "diagram", "nodestats"}
    assert 'data-node="web-1"' in busier and 'id="busy-web-1" hx-swap-oob="true">50 %' in busier
    assert {"diagram", "nodes", "controls"} <= sent(failed)  # a failure changes the forms too
    assert 'class="box box-down" data-node="web-2"' in failed
    assert sent(paused) == {"status", "controls", "nodes", "nodestats"}
    assert ">Paused<" in paused and ">Resume<" in paused


def test_a_tick_sends_only_the_node_cells_that_changed():
    """One busier server: its busy cell is sent, the other servers' cells are not."""
    renderer = Renderer()
    s = snapshot()
    hotter = tuple(replace(n, utilization=0.5) if n.id == "web-1" else n for n in s.nodes)
    queued = tuple(replace(n, queued=7) if n.id == "web-2" else n for n in hotter)
    one_more = tuple(replace(n, queued=8) if n.id == "web-2" else n for n in hotter)
    with translation.override("en"):
        renderer.render(s, RUNNING, full=True)
        busier = renderer.render(replace(s, t=s.t + 1, nodes=hotter), RUNNING)
        longer = renderer.render(replace(s, t=s.t + 2, nodes=queued), RUNNING)
        same_bar = renderer.render(replace(s, t=s.t + 3, nodes=one_more), RUNNING)
    assert 'id="busy-web-1" hx-swap-oob="true">50 %' in busier
    assert set(top_level_ids(busier)) == {"status", "diagram", "busy-web-1", "queue-web-1"}
    # a queue appears: its bar is drawn in the diagram; one more request, the same bar
    assert set(top_level_ids(longer)) == {"status", "diagram", "busy-web-2", "queue-web-2"}
    assert 'id="queue-web-2" hx-swap-oob="true">7<' in longer
    assert set(top_level_ids(same_bar)) == {"status", "busy-web-2", "queue-web-2"}


def test_within_a_second_a_tick_moves_only_the_clock():
    """The figures are drawn when a simulated second closes, as the judge reads them: a
    tick inside the second sends the status line alone, the next second the figures; a
    change to the architecture is drawn at once."""
    renderer = Renderer()
    s = snapshot()  # t = 12.4
    hotter = tuple(replace(n, utilization=0.5) if n.id == "web-1" else n for n in s.nodes)
    down = tuple(replace(n, status=NodeStatus.DOWN) if n.id == "web-2" else n for n in s.nodes)
    with translation.override("en"):
        renderer.render(s, RUNNING, full=True)
        inside = renderer.render(replace(s, t=12.8, nodes=hotter, throughput_rps=5.0), RUNNING)
        closed = renderer.render(replace(s, t=13.0, nodes=hotter, throughput_rps=5.0), RUNNING)
        failed = renderer.render(replace(s, t=13.2, nodes=down), RUNNING)
    assert sent(inside) == {"status"} and "simulated time 12.8 s" in inside
    assert sent(closed) == {"status", "diagram", "nodestats", "metricvalues"}
    assert {"diagram", "nodes", "controls"} <= sent(failed)


def test_the_node_table_carries_its_cells_without_a_second_copy():
    renderer = Renderer()
    with translation.override("en"):
        html = renderer.render(snapshot(), RUNNING, full=True)
    assert html.count('id="busy-web-1"') == 1


def test_a_full_render_sends_every_part_even_when_nothing_changed():
    renderer = Renderer()
    with translation.override("en"):
        renderer.render(snapshot(), RUNNING, full=True)
        again = renderer.render(snapshot(), RUNNING, full=True)
    assert sent(again) == {
        "status",
        "metrics",
        "metricvalues",
        "charts",
        "chartitems",
        "diagram",
        "nodestats",
        "nodes",
        "controls",
        "events",
    }


def test_a_change_of_language_sends_every_part_in_the_new_one():
    renderer = Renderer()
    with translation.override("en"):
        renderer.render(snapshot(), RUNNING, full=True)
    with translation.override("ko"):
        korean = renderer.render(snapshot(), RUNNING)
    assert '<h2 id="metrics-heading">지표</h2>' in korean  # "Metrics"
    assert {"status", "metrics", "diagram", "controls", "events"} <= sent(korean)


def test_only_new_events_are_prepended_to_the_log():
    renderer = Renderer()
    s = snapshot()
    later = replace(s, events=(*s.events, Event(13.0, EventKind.NODE_RESTORED, node="web-2")))
    with translation.override("en"):
        renderer.render(s, RUNNING, full=True)
        quiet = renderer.render(s, RUNNING)
        html = renderer.render(later, RUNNING)
        reset = renderer.render(snapshot(events=()), RUNNING)
    assert "events-list" not in quiet
    new = '<ul hx-swap-oob="afterbegin:#events-list"><li>web-2 was restored at 13.0 s.</li></ul>'
    assert new in html
    assert "failed at" not in html  # not repeated
    assert 'id="events"' in reset  # the log is redrawn after a reset


def test_events_are_newest_first_in_the_full_log():
    with translation.override("en"):
        html = render(["events"], page_context(snapshot(), RUNNING))
    assert html.index("web-2 failed at 12.4 s.") < html.index("web-3 was added at 10.0 s.")


def test_error_area_shows_and_clears():
    renderer = Renderer()
    with translation.override("en"):
        shown = renderer.render(snapshot(), RUNNING, error="Bad & wrong")
        cleared = renderer.render(snapshot(), RUNNING, error="")
        untouched = renderer.render(snapshot(), RUNNING)
    assert "<p>Bad &amp; wrong</p>" in shown
    assert re.search(r'id="error"[^>]*></div>', cleared)
    assert 'id="error"' not in untouched


def test_controls_offer_only_what_makes_sense():
    with translation.override("en"):
        html = render(["controls"], page_context(snapshot(), RUNNING))
    assert 'id="add-load-balancer"' not in html  # there is one already
    assert 'id="separate-database"' not in html  # the data has its own server
    assert 'id="remove-web-server"' in html
    assert 'id="speed-1" aria-pressed="true"' in html


KOREAN_HEADINGS = {"controls": "조작", "metrics": "지표", "nodes": "서버"}  # the chapter's words


def test_korean_rendering_uses_the_translations():
    """A missing or uncompiled Korean catalogue fails here (it is never skipped)."""
    with translation.override("ko"):
        korean = Renderer().render(snapshot(), RUNNING, full=True)
    for part, heading in KOREAN_HEADINGS.items():
        assert f'<h2 id="{part}-heading">{heading}</h2>' in korean
    assert ">Metrics</h2>" not in korean and ">Servers</h2>" not in korean


def test_the_server_table_lists_tiers_in_order():
    s = snapshot()
    shuffled = replace(s, nodes=tuple(reversed(s.nodes)))
    with translation.override("en"):
        html = render(["nodes"], page_context(shuffled, RUNNING))
    rows = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert rows == ["dns", "lb", "web-3", "web-2", "web-1", "db"]


def test_building_block_metrics_show_when_their_nodes_exist():
    with translation.override("en"):
        html = render(["metrics"], page_context(blocks_snapshot(), RUNNING))
        plain = render(["metrics"], page_context(snapshot(), RUNNING))
    assert shown(html, "Cache hit ratio") == "87 %"
    assert shown(html, "CDN hit ratio") == "95 %"
    assert shown(html, "Stale reads") == "1,234 so far"
    assert shown(html, "Lost writes") == "2 so far"
    for label in ("Cache hit ratio", "CDN hit ratio", "Stale reads", "Lost writes"):
        assert label not in plain


def test_a_hit_ratio_without_lookups_is_a_dash():
    with translation.override("en"):
        html = render(["metrics"], page_context(blocks_snapshot(hit_ratios=()), RUNNING))
    assert shown(html, "Cache hit ratio") == "— %"
    assert shown(html, "CDN hit ratio") == "— %"


def test_the_server_table_names_the_new_kinds_and_database_roles():
    with translation.override("en"):
        html = render(["nodes"], page_context(blocks_snapshot(), RUNNING))
    kinds = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td class="node-kind">'
        r'<span class="cell-label" aria-hidden="true">Kind</span>([^<]+)</td>',
        html,
    )
    assert kinds[1] == ("cdn", "CDN")
    assert ("cache", "Cache") in kinds
    assert kinds[-3:] == [
        ("db", "Database (primary)"),
        ("db-r1", "Database (replica)"),
        ("db-r2", "Database (replica)"),
    ]


def controls_html(s) -> str:
    with translation.override("en"):
        return render(["controls"], page_context(s, RUNNING))


def grown(*commands: c.Command, users: int = 0) -> Snapshot:
    """The snapshot of a real single-server site after ``commands`` (the engine decides
    what is allowed, as it does live)."""
    topology = presets.single_server(100)
    if users:
        topology = replace(topology, traffic=replace(topology.traffic, users=users))
    sim = Simulation(topology, seed=1)
    for command in commands:
        sim.apply(command)
    return sim.snapshot()


SESSION_CONTROLS = {"pause", "resume", "speed", "reset"}
SEPARATED = (c.SeparateDatabase(), c.AddWebServer(), c.AddLoadBalancer())
BLOCKS_ADDED = (*SEPARATED, c.AddCdn(), c.AddCache(), c.AddReplica(), c.AddReplica())


def test_building_block_buttons_follow_the_architecture():
    single = controls_html(grown())
    separated = controls_html(grown(*SEPARATED))
    full = controls_html(grown(*BLOCKS_ADDED))
    most = controls_html(grown(*BLOCKS_ADDED, *[c.AddReplica()] * 6))
    assert 'id="add-cache"' not in single and 'id="add-replica"' not in single
    assert 'id="add-web-server"' not in single  # the data still lives on web-1
    assert 'id="add-cdn"' in single and 'id="purge-cdn"' not in single
    assert 'id="add-cache"' in separated and 'id="add-replica"' in separated
    assert 'id="add-web-server"' in separated
    assert 'id="add-cache"' not in full and 'id="add-replica"' in full
    assert 'id="add-cdn"' not in full
    assert 'id="purge-cdn"' in full and 'id="version-assets"' in full
    assert 'id="add-replica"' not in most  # eight is the limit


def test_the_controls_drawn_are_exactly_what_the_snapshot_allows():
    """Every control of the sandbox's vocabulary is drawn exactly when the snapshot says its
    action would succeed (the engine's own checks, tests/sim/test_allowed.py)."""
    for s in (grown(), grown(*SEPARATED), grown(*BLOCKS_ADDED)):
        with translation.override("en"):
            html = render(["controls", "nodes"], page_context(s, RUNNING))
        drawn = set(re.findall(r'name="action" value="([a-z_]+)"', html))
        assert drawn - SESSION_CONTROLS == allowed(s)


def test_controls_are_resent_when_a_building_block_arrives():
    renderer = Renderer()
    with translation.override("en"):
        renderer.render(blocks_snapshot(replicas=1), RUNNING, full=True)
        same = renderer.render(blocks_snapshot(replicas=1, t=13.0), RUNNING)
        more = renderer.render(blocks_snapshot(replicas=2), RUNNING)
    assert 'id="controls"' not in same
    assert 'id="controls"' in more and 'id="nodes"' in more


def _with(s: Snapshot, settings: Settings) -> Snapshot:
    """The snapshot of a simulation whose learner chose ``settings``."""
    return replace(s, settings=settings)


TRACKED = Settings(users=10_000, algorithm="round_robin")


def test_controls_are_grouped_and_offer_the_new_blocks_only_where_they_apply():
    with translation.override("en"):
        single = render(["controls"], page_context(grown(users=10_000), RUNNING))
        behind_lb = render(["controls"], page_context(grown(*SEPARATED, users=10_000), RUNNING))
        full = render(
            ["controls"],
            page_context(
                grown(
                    *SEPARATED, c.AddSessionStore(), c.AddMessageQueue(), c.AddShard(), users=10_000
                ),
                RUNNING,
            ),
        )
    for legend in ("Traffic", "Web tier", "Edge", "Background jobs", "Operations"):
        assert f'-name">{legend}</summary>' in single
    for control in ("balancing", "autoscale-enabled", "add-shard"):
        assert f'id="{control}"' not in single  # no load balancer, no database yet
    for control in (
        "balancing",
        "autoscale-enabled",
        "add-session-store",
        "add-shard",
        "add-message-queue",
        "ops-monitoring",
        "ops-automation",
        "mix-zipf",
    ):
        assert f'id="{control}"' in behind_lb
    assert 'id="add-session-store"' not in full and 'id="add-message-queue"' not in full
    assert 'id="pool-workers-workers"' in full and 'value="4"' in full


def test_every_control_input_has_a_label():
    with translation.override("en"):
        html = render(
            ["controls", "nodes"], page_context(_with(everything_snapshot(), TRACKED), RUNNING)
        )
    inputs = re.findall(r'<(?:input|select)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', html)
    assert len(inputs) > 10
    for input_id in inputs:
        if input_id == "traffic-rps":
            continue  # labelled by aria-label
        if input_id == "traffic-slider":
            assert 'for="traffic-slider"' in html
            continue
        assert f'for="{input_id}"' in html, input_id


def test_controls_show_the_current_choices():
    settings = Settings(
        algorithm="sticky",
        autoscaling=True,
        autoscale_min=3,
        autoscale_max=12,
        autoscale_target=0.7,
        monitoring=True,
        automation=False,
        sharding="modulo",
        shards=2,
        read_ratio=0.9,
        static_ratio=0.25,
        zipf_s=1.2,
        users=10_000,
    )
    with translation.override("en"):
        html = render(["controls"], page_context(_with(everything_snapshot(), settings), RUNNING))
    assert '<option value="sticky" selected>' in html
    assert re.search(r'id="autoscale-enabled" name="enabled" checked', html)
    assert 'id="autoscale-min" name="min"' in html and 'value="12"' in html and 'value="70"' in html
    assert re.search(r'id="ops-monitoring" name="monitoring" checked', html)
    assert not re.search(r'id="ops-automation" name="automation" checked', html)
    assert '<input type="hidden" name="strategy" value="modulo">' in html  # the first split chose
    assert 'id="shard-strategy"' not in html and "2 shards" in html
    assert 'value="90"' in html and 'value="25"' in html and 'value="1.2"' in html


def test_forms_are_resent_when_a_choice_changes():
    renderer = Renderer()
    s = everything_snapshot()
    with translation.override("en"):
        renderer.render(_with(s, TRACKED), RUNNING, full=True)
        same = renderer.render(_with(replace(s, t=20.0), TRACKED), RUNNING)
        sticky = renderer.render(_with(s, replace(TRACKED, algorithm="sticky")), RUNNING)
        more = replace(
            s, nodes=tuple(replace(n, workers=16) if n.id == "workers" else n for n in s.nodes)
        )
        workers = renderer.render(_with(more, replace(TRACKED, algorithm="sticky")), RUNNING)
    assert 'id="controls"' not in same
    assert 'id="controls"' in sticky
    assert 'id="nodes"' in workers and 'id="workers-workers"' in workers


def test_metrics_show_lost_sessions_when_users_are_tracked_and_jobs_with_a_queue():
    with translation.override("en"):
        tracked = render(["metrics"], page_context(_with(everything_snapshot(), TRACKED), RUNNING))
        untracked = render(["metrics"], page_context(snapshot(), RUNNING))
    assert shown(tracked, "Sessions lost") == "42 so far"
    assert "Sessions lost" not in untracked and "Background jobs" not in untracked
    assert shown(tracked, "Published") == "32.0 jobs/s"
    assert shown(tracked, "Done") == "8.0 jobs/s"
    assert shown(tracked, "Waiting in the queue") == "546 jobs"
    assert shown(tracked, "Job p99 latency") == "26,218 ms"


def test_the_node_table_names_new_kinds_shards_and_booting_servers():
    with translation.override("en"):
        html = render(["nodes"], page_context(everything_snapshot(webs=4, booting=1), RUNNING))
    for kind in (
        "Session store",
        "Message queue",
        "Worker pool",
        "Database (primary, shard 0)",
        "Database (replica, shard 0)",
        "Database (primary, shard 1)",
    ):
        assert f'<span class="cell-label" aria-hidden="true">Kind</span>{kind}</td>' in html
    assert "booting, no traffic yet" in html
    assert 'name="action" value="set_workers"' in html and 'id="set-workers-workers"' in html


def test_offered_limits_the_controls_drawn_to_those_actions():
    with translation.override("en"):
        everything = Renderer().render(everything_snapshot(), RUNNING, full=True)
        lesson = Renderer(offered=frozenset({"add_web_server", "fail"})).render(
            everything_snapshot(), RUNNING, full=True
        )
    actions = set(re.findall(r'name="action" value="([a-z_]+)"', lesson))
    assert actions == {"add_web_server", "fail", "pause", "speed", "reset"}
    assert 'value="set_operations"' in everything and 'value="resize"' in everything
    assert '-name">Edge</summary>' not in lesson and '-name">Web tier</summary>' in lesson


def test_the_data_centers_group_offers_regions_and_each_center_fail_or_restore():
    sim = Simulation(presets.single_server(100), seed=1)
    with translation.override("en"):
        first, first_allowed = data_centers(sim.snapshot()), allowed(sim.snapshot())
        sim.apply(AddLoadBalancer())
        sim.apply(SeparateDatabase())
        ready, ready_allowed = data_centers(sim.snapshot()), allowed(sim.snapshot())
        sim.apply(AddDataCenter("", "asia"))
        sim.apply(FailDataCenter("asia"))
        two, two_allowed = data_centers(sim.advance(1)), allowed(sim.snapshot())
        rows = {r["id"]: r["center"] for r in node_rows(sim.snapshot())}
    assert "add_data_center" not in first_allowed and first["listed"] == []
    assert "add_data_center" in ready_allowed
    assert [r["name"] for r in ready["regions"]] == ["europe", "asia"]
    assert [(c["label"], c["down"]) for c in two["listed"]] == [("US East", False), ("Asia", True)]
    assert [r["name"] for r in two["regions"]] == ["europe"] and "add_data_center" in two_allowed
    assert rows["asia-web-1"] == "Asia" and rows["web-1"] == "US East" and rows["dns"] == ""


def test_one_named_center_is_listed_with_its_fail_button():
    data = dump_topology(presets.single_server(100))
    for item in data["nodes"]:
        if item["kind"] != "dns":
            item["dc"] = "us-east"
    sim = Simulation(load_topology(data), seed=1)
    with translation.override("en"):
        centers = data_centers(sim.snapshot())
    assert [(c["name"], c["label"], c["down"]) for c in centers["listed"]] == [
        ("us-east", "US East", False)
    ]


def test_metric_and_chart_words_follow_the_language_of_each_render():
    """The fixed words are translated once per language, not once for the first one."""
    renders = {}
    for language in ("en", "ko", "en"):
        with translation.override(language):
            context = page_context(snapshot(), RUNNING)
            renders[language] = render(["metrics", "charts"], context)
            latest = context["charts"][2]["latest"]
            expected = (
                translation.gettext("Offered"),
                translation.gettext("now"),
                translation.gettext("%(label)s chart, scale up to %(top)s %(unit)s, now %(latest)s")
                % {
                    "label": translation.gettext("Error rate"),
                    "top": "1",
                    "unit": "%",
                    "latest": latest,
                },
            )
        assert shown(renders[language], expected[0]) is not None
        assert f">{expected[1]}</text>" in renders[language]
        assert f'aria-label="{expected[2]}"' in renders[language]
    assert renders["ko"] != renders["en"] and shown(renders["ko"], "Offered") is None


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (0.97, "this machine cannot simulate this much traffic any faster"),
        (0.04, "this server is busy with other work (simulating your traffic needs only 4 %"),
    ],
)
def test_the_status_line_names_the_cause_of_running_behind(share, words):
    behind = LiveStatus(paused=False, speed=1, ratio=0.9, engine_share=share)
    with translation.override("en"):
        html = render(["status"], page_context(snapshot(), behind))
    assert "running at 0.9× real time" in html
    assert words in html
    # the whole notice in its title too: the one-screen status line cuts it with an ellipsis
    title = re.search(r'class="sandbox-behind" title="([^"]*)"', html)
    assert title is not None and words in title.group(1).replace("&#x27;", "'")


def test_keeping_up_says_nothing_about_real_time():
    with translation.override("en"):
        html = render(["status"], page_context(snapshot(), RUNNING))
    assert "real time" not in html


@pytest.mark.parametrize(
    ("offered", "legend"),
    [
        ({"add_cdn", "set_traffic"}, '-name">Edge</summary>'),
        ({"add_cache", "set_traffic"}, '-name">Data</summary>'),
        ({"add_message_queue", "set_traffic"}, '-name">Background jobs</summary>'),
    ],
)
def test_a_group_whose_only_control_was_used_is_not_drawn_empty(offered, legend):
    """A stage offers one button in a group; once used (the CDN, the cache and the queue
    exist), the group's box goes too."""
    s = grown(*BLOCKS_ADDED, c.AddMessageQueue())
    with translation.override("en"):
        used = render(["controls"], page_context(s, RUNNING, offered=frozenset(offered)))
        fresh = render(
            ["controls"], page_context(grown(*SEPARATED), RUNNING, offered=frozenset(offered))
        )
    assert legend not in used
    assert legend in fresh


@pytest.mark.parametrize(
    ("language", "about"), [("en", "Runs the application"), ("ko", "애플리케이션")]
)
def test_each_node_row_says_what_it_does_and_its_work_per_request(language, about):
    """The node details (#14.2) are read from the servers table: each row carries what its
    kind does and its work per request (a web server's 20 ms), in the page's language."""
    with translation.override(language):
        html = render(["nodes"], page_context(snapshot(), RUNNING))
    row = re.search(r'<tr [^>]*data-node="web-1"[^>]*>', html)
    assert row is not None
    assert about in row.group(0)
    assert re.search(r'data-work="[^"]*\b20\b[^"]*ms', row.group(0))


def test_a_stage_renderer_draws_its_goals_as_level_lines():
    """A renderer given a stage's goals (charts.goal_levels) draws them on the charts: p99
    under 300 ms on the latency chart; the sandbox's renderer draws none."""
    s = replace(snapshot(), series=(SeriesPoint(12.0, 5.0, 40.0, 0.0),))
    with translation.override("en"):
        staged = Renderer(goals={"latency": 300.0}).render(s, RUNNING, full=True)
        plain = Renderer().render(s, RUNNING, full=True)
    latency = re.search(r'<figure [^>]*class="chart chart-latency".*?</figure>', staged, re.S)
    assert latency is not None and 'class="goal-level"' in latency.group(0)
    assert ">goal 300</text>" in latency.group(0)
    assert 'class="goal-level"' not in plain


def drawn_lines(figure: str) -> list[list[float]]:
    """Each line of a chart's markup, in document order, as the browser places it: its
    points (x, y, x, y, ...) moved by the transform of the group they are drawn in (the
    SVG, inline in HTML without a namespace, parsed as XML: it must be well formed)."""
    found = re.search(r"<svg .*?</svg>", figure, re.S)
    assert found is not None
    lines = []
    for group in ElementTree.fromstring(found.group(0)).iter("g"):
        moved = re.fullmatch(r"translate\((-?[\d.]+) 0\)", group.get("transform", ""))
        assert moved is not None
        for line in group.iter("polyline"):
            pairs = (p.split(",") for p in line.get("points", "").split())
            lines.append([c for x, y in pairs for c in (float(x) + float(moved[1]), float(y))])
    return lines


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_charts_markup_places_each_point_at_its_age_and_value(language):
    """The latency chart of a run 95 to 100 s in, as one renderer sends it second after
    second: every point of its lines (p95, p50, then p99) sits at x = 300 × (1 − age / 60)
    and y = 80 × (1 − value / 500) of the chart (500 ms: the nice number above the highest
    p99, 420 ms), whatever transform moves their group: the newest on the right edge."""
    renderer = Renderer()
    for end in range(95, 101):
        series = tuple(
            SeriesPoint(
                float(t),
                100.0,
                20.0 * (t % 22),
                0.0,
                latency=Latency(mean_ms=5.0, p50_ms=t % 10, p95_ms=10.0 + t % 30, p99_ms=0.0),
            )
            for t in range(1, end + 1)
        )
        with translation.override(language):
            html = renderer.render(snapshot(t=end + 0.4, series=series), RUNNING, full=end == 95)
        figure = re.search(r'<figure id="chartbox-latency".*?</figure>', html, re.S)
        assert figure is not None  # its p99 moves every second
        shown = [p.t for p in series if end - p.t <= 60]
        values = [
            [10.0 + t % 30 for t in shown],
            [t % 10 for t in shown],
            [20.0 * (t % 22) for t in shown],
        ]
        expected = [
            [
                c
                for t, v in zip(shown, line, strict=True)
                for c in (300 * (1 - (end - t) / 60), 80 * (1 - v / 500))
            ]
            for line in values
        ]
        drawn = drawn_lines(figure.group(0))
        assert [line[0::2][-1] for line in drawn] == [300.0, 300.0, 300.0]
        assert drawn == [pytest.approx(line, abs=0.05) for line in expected]
