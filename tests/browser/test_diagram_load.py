"""The diagram shows load in the browser (issue #14.2), in English and Korean: an overloaded
server is filled darkest and named the bottleneck, links flow (still under
prefers-reduced-motion), and a tick's redraw keeps the lines, so the flow is not restarted
five times a second."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_sandbox import eventually, open_sandbox, set_traffic

NAMED = {"en": "Bottleneck: web-1", "ko": "병목: web-1"}

# The first flowing link: its animation, and a mark that survives only if the element does.
FLOW = """() => {
  const line = document.querySelector("#diagram line.link-flow:not(.link-spine)");
  if (!line) return null;
  const kept = line.__mark === 1;
  line.__mark = 1;
  return {animation: getComputedStyle(line).animationName, kept: kept,
          width: parseFloat(getComputedStyle(line).strokeWidth)};
}"""

FLOWING = "() => document.querySelector('#diagram line.link-flow:not(.link-spine)') !== null"


def test_an_overloaded_server_is_the_named_bottleneck_and_links_flow(page, app_url, language):
    open_sandbox(page, app_url)
    diagram = page.locator("#diagram")
    page.wait_for_function(FLOWING)  # drawn when the first simulated second closes
    first = page.evaluate(FLOW)
    assert first is not None and first["animation"] == "diagram-flow"
    set_traffic(page, 350)  # one server takes ~320 req/s
    eventually(
        lambda: NAMED[language] in diagram.locator("#diagram-bottleneck").inner_text(),
        what="the bottleneck named under the diagram",
    )
    box = diagram.locator("[data-node='web-1']")
    eventually(
        lambda: bool(re.search(r"\bload-5\b", box.get_attribute("class") or "")),
        what="the overloaded server filled with the darkest step (95 % busy or more)",
    )
    assert box.locator(".box-halo").count() == 1
    # more ticks: the same line element, still flowing, and wider for more traffic
    page.wait_for_function("() => window.__times.length > 3")
    later = page.evaluate(FLOW)
    assert later["kept"] and later["animation"] == "diagram-flow"
    assert later["width"] >= first["width"]


@pytest.mark.parametrize("language", ["en"])
def test_links_stand_still_for_who_asks_for_less_motion(browser, app_url, csp_watch, language):
    context = browser.new_context(reduced_motion="reduce", locale="en-US")
    violations = csp_watch(context)
    try:
        page = context.new_page()
        open_sandbox(page, app_url)
        page.wait_for_function(FLOWING)
        flow = page.evaluate(FLOW)
        assert flow is not None and flow["animation"] == "none"
        dashes = page.evaluate(
            "() => getComputedStyle(document.querySelector('#diagram line.link-flow'))"
            ".strokeDasharray"
        )
        assert dashes == "none"  # a solid line, its width still telling the traffic
    finally:
        context.close()
    assert not violations, violations


ABOUT = {"en": "Runs the application", "ko": "애플리케이션"}
# What has focus: its id, a box's node, else the start of its markup.
ACTIVE = """() => { const e = document.activeElement;
  return e.id || e.getAttribute("data-node") || e.outerHTML.slice(0, 80); }"""
AGO = {"en": r"\d+ s ago: Served [\d,.]+ req/s, offered [\d,.]+ req/s", "ko": r"\d+초 전: "}


def test_a_selected_node_shows_its_details_and_actions_and_charts_read_out(page, app_url, language):
    """Issue #14.2 and 14.3, after the overload above: the boxes are one tab stop, the arrow
    keys move between them and Enter shows the node's details (what it does, busy, queue,
    work per request, cost) with its actions, which work (Fail sends the table's own
    action); a node without sizes offers no resize. The panel sits in the Tab order right
    after its box, and Escape puts focus back on the box. A chart is focusable and the arrow
    keys read its value a second earlier; the busiest nodes and latency percentiles are
    charted."""
    open_sandbox(page, app_url)
    set_traffic(page, 350)
    first = page.locator("#diagram [data-select][tabindex='0']")
    assert first.count() == 1  # one stop in the tab order
    start = first.get_attribute("data-node")
    first.focus()
    page.keyboard.press("ArrowRight")  # to the next box
    focused = page.evaluate("() => document.activeElement.getAttribute('data-node')")
    assert focused and focused != start
    box = page.locator("#diagram [data-node='web-1']")
    box.focus()
    page.keyboard.press("Tab")
    after_box = page.evaluate(ACTIVE)  # where Tab from the box goes, the panel closed
    assert after_box != "web-1"
    box.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#node-detail")
    eventually(lambda: panel.is_visible(), what="the details panel opens")
    assert page.evaluate("() => document.activeElement.id") == "node-detail-name"
    assert panel.locator("#node-detail-name").inner_text() == "web-1"
    assert ABOUT[language] in panel.locator("#node-detail-about").inner_text()
    eventually(
        lambda: re.fullmatch(r"\d+ %", panel.locator("#node-detail-busy").inner_text()) is not None,
        what="the node's busy figure",
    )
    assert re.search(r"\d", panel.locator("#node-detail-work").inner_text())
    assert re.search(r"\d", panel.locator("#node-detail-cost").inner_text())
    assert re.fullmatch(r"\d+", panel.locator("#node-detail-queue").inner_text())
    # the node's actions: resize is offered, and Fail works the table's own button
    assert panel.locator("#node-detail-size-choice option").count() >= 2
    # Shift+Tab from its top goes back to the box; Tab past its last control goes on from
    # the diagram, as Tab from the box did (not to the end of the page)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE) == "web-1"
    page.keyboard.press("Enter")
    panel.locator("#node-detail-close").focus()
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE) == after_box
    assert panel.is_visible()
    # a node without sizes (dns): no resize, none of web-1's sizes left, no empty button
    page.locator("#diagram [data-node='dns']").click()
    eventually(lambda: panel.locator("#node-detail-name").inner_text() == "dns", what="dns")
    assert not panel.locator("#node-detail-resize").is_visible()
    assert panel.locator("#node-detail-size-choice option").count() == 0
    toggle = panel.locator("#node-detail-toggle")
    assert toggle.is_visible() == (page.locator("#toggle-dns").count() == 1)
    assert not toggle.is_visible() or toggle.inner_text().strip()
    page.locator("#diagram [data-node='web-1']").click()
    eventually(lambda: panel.locator("#node-detail-name").inner_text() == "web-1", what="web-1")
    assert panel.locator("#node-detail-resize").is_visible()
    panel.locator("#node-detail-toggle").click()
    eventually(
        lambda: (
            "box-down"
            in (page.locator("#diagram [data-node='web-1']").get_attribute("class") or "")
        ),
        what="the failed node drawn as down",
    )
    eventually(lambda: panel.locator("#node-detail-state").inner_text() != "up", what="state")
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("() => document.activeElement.getAttribute('data-node')") == "web-1"
    # the charts: the busiest node and the percentiles are drawn; the value a second back
    charts = page.locator("#charts")
    eventually(lambda: charts.locator(".chart-utilization").count() == 1, what="utilisation chart")
    assert "web-1" in charts.locator(".chart-utilization figcaption").inner_text()
    assert charts.locator(".chart-latency polyline[data-name='p50']").count() == 1
    page.locator("#chart-throughput").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    readout = page.locator("#readout-throughput")
    eventually(lambda: re.search(AGO[language], readout.inner_text()) is not None, what="readout")
    three = readout.inner_text().split(":")[0]  # "3 s ago"
    assert "3" in three
    # two closed seconds redraw the chart (a new element each time): the cursor stays three
    # seconds back, the chart keeps the focus and the readout is written again
    redrawn_twice(page, "chart-throughput")
    assert page.evaluate("() => document.activeElement.id") == "chart-throughput"
    assert page.locator("#chart-throughput .chart-cursor").count() == 1
    assert readout.inner_text().split(":")[0] == three
    # the pointer held still over a chart: its value stays through the redraws
    page.locator("#chart-throughput").blur()
    box = page.locator("#chart-latency").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
    latency = page.locator("#readout-latency")
    eventually(lambda: latency.inner_text() != "", what="the value under the pointer")
    redrawn_twice(page, "chart-latency")
    assert latency.inner_text() != ""
    assert page.locator("#chart-latency .chart-cursor").count() == 1
    # each line's points, at absolute time, land in the chart's window (0 to 300) once its
    # group's transform moves them; served and offered have the newest second on the edge
    spans = page.evaluate(LINE_SPANS)
    assert spans and all(low >= -0.05 and high <= 300.05 for _, low, high in spans)
    served = [high for chart, _, high in spans if chart == "throughput"]
    assert len(served) == 2 and all(abs(high - 300) <= 0.05 for high in served)


def redrawn_twice(page, chart: str) -> None:
    """Wait until the chart ``chart`` (an svg's id) has been replaced by two redraws."""
    for _ in range(2):
        page.evaluate(f"() => {{ document.getElementById('{chart}').__old = 1; }}")
        page.wait_for_function(f"() => document.getElementById('{chart}').__old !== 1")


# Each drawn chart line (its chart's key) with its leftmost and rightmost x in the chart's
# units (the svg's user space), as the browser places its points: through the line's own
# screen transform.
LINE_SPANS = """() => [...document.querySelectorAll("#charts polyline.series")]
  .filter((line) => line.points.numberOfItems > 0)
  .map((line) => {
    const svg = line.ownerSVGElement;
    const toChart = svg.getScreenCTM().inverse().multiply(line.getScreenCTM());
    const xs = [];
    for (let i = 0; i < line.points.numberOfItems; i++) {
      xs.push(line.points.getItem(i).matrixTransform(toChart).x);
    }
    return [svg.id.replace("chart-", ""), Math.min(...xs), Math.max(...xs)];
  })"""


# Every box of the live diagram: its rectangle, its texts' extents and on-screen font sizes.
GEOMETRY = """() => {
  const svg = document.querySelector("#diagram svg");
  const scale = svg.getScreenCTM().a;
  const boxes = [...svg.querySelectorAll("g.box")].map((g) => {
    const r = g.querySelector("rect:not(.box-halo):not(.box-queue)").getBBox();
    const texts = [...g.querySelectorAll("text")].map((t) => {
      const b = t.getBBox();
      return {left: b.x, right: b.x + b.width, px: parseFloat(getComputedStyle(t).fontSize) * scale};
    });
    return {id: g.dataset.node, x: r.x, y: r.y, w: r.width, h: r.height, texts: texts};
  });
  const bands = [...svg.querySelectorAll(".band-label")].map(
    (t) => parseFloat(getComputedStyle(t).fontSize) * scale);
  return {boxes: boxes, bands: bands, pageWidth: document.documentElement.scrollWidth};
}"""

THIRTY = Path(__file__).with_name("three-data-centers.yaml")


SCREENS: dict[str, dict[str, Any]] = {  # name → context options
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
}


@pytest.mark.parametrize("screen", SCREENS)
def test_thirty_nodes_in_three_centers_stay_readable(browser, app_url, language, screen):
    """Issue #14.2: 32 nodes in 3 data centers, on a 375 px phone and a 1366×768 laptop:
    no box overlaps another, every text stays inside its box and is drawn at 11 px or
    more (as drawn: through the viewBox's scale to its element's box); the diagram pans
    in its frame, the page does not scroll sideways. (On the laptop it was once squeezed
    into its frame's height, its labels 4–5 px: the SVG shared its frame's class.)"""
    context = browser.new_context(
        locale="ko-KR" if language == "ko" else "en-US", **SCREENS[screen]
    )
    try:
        page = context.new_page()
        page.goto(f"{app_url}/sandbox/share/")
        page.locator("#import-file").set_input_files(str(THIRTY))
        page.locator("#import-submit").click()
        page.wait_for_url("**/sandbox/")
        page.wait_for_function(FLOWING)
        drawn = page.evaluate(GEOMETRY)
        frame = page.evaluate(
            "() => { const f = document.querySelector('#diagram-pan');"
            " return [f.scrollWidth - f.clientWidth, f.scrollHeight - f.clientHeight]; }"
        )
    finally:
        context.close()
    boxes = drawn["boxes"]
    assert len(boxes) == 33  # 32 nodes and the users
    assert drawn["bands"] and min(drawn["bands"]) >= 11
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a["id"], b["id"])
        for text in a["texts"]:
            assert text["px"] >= 11, a["id"]
            assert a["x"] <= text["left"] and text["right"] <= a["x"] + a["w"], a["id"]
    assert max(frame) > 0, "the frame pans to what it does not show"
    assert drawn["pageWidth"] <= SCREENS[screen]["viewport"]["width"]
