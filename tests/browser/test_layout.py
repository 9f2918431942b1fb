"""One screen per run, measured in the browser (issue #14.1), in English and Korean.

While a run plays, the parts a learner watches together must all be on screen: at a
laptop's 1366×768 and at a projector's 1920×1080 shown at 150 % (a 1280×720 CSS viewport
at device scale 1.5), each region's bounding box lies within the viewport and the page
is not scrolled (the sandbox, stage 4 and stage 13 at every size; on the two desktop
screens also stage 9, whose ten web servers in two lanes make the plan's widest diagram).
On a stage, what runs the experiment is in reach without scrolling (every control group
by its name, the clock, the run button), and the stage text opened mid-run is a drawer
that moves none of the run's regions. On a 375 px phone nothing scrolls sideways and the
servers table is cards.
The whole diagram is in view (no node to pan to) with its smallest label at 11 px or more;
on the projector stage 13 shrinks to fit, its labels 8.5 CSS px or more (12.75 px on the
screen; issue #14.2: stage 13 on a projector at 150 % measured 6.5–7.8 px). No chart's
caption is cut short: every line on it is named in full.
Each case takes the screenshot docs/screenshots shows (``make screenshots``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from test_lessons import COUNT_MESSAGES, apply, connected, plans

from architect.sandbox.diagram_shapes import FIT_FRAME

SIZES = {  # name → viewport and device scale
    "1366x768": ({"width": 1366, "height": 768}, 1.0),
    "projector": ({"width": 1280, "height": 720}, 1.5),
    "375": ({"width": 375, "height": 812}, 2.0),
}
PAGES = ("sandbox", "load-balancer", "millions-of-users")  # the sandbox, stage 4, stage 13
# (page, size) cases: every size of PAGES, and on both desktop screens the widest and
# tallest architecture of the plan, the CDN-and-cache failure drill: ten web servers in
# two lanes (tests/sandbox/test_diagram.py checks every stage's geometry against the frame
# these cases measure)
CASES = [(where, size) for where in PAGES for size in SIZES] + [
    ("caches-fail", "1366x768"),
    ("caches-fail", "projector"),
]
REGIONS = ("#diagram", "#metrics", "#charts", "#controls")  # and a stage's #goal

# The charts not wholly in the row's view, by their caption's name (without its node).
CHARTS_OFF = """() => {
  const row = document.querySelector("#charts .chart-row").getBoundingClientRect();
  return [...document.querySelectorAll("#charts .chart-row figure")]
    .filter((f) => { const b = f.getBoundingClientRect();
      return b.left < row.left - 1 || b.right > row.right + 1; })
    .map((f) => f.querySelector("figcaption .metric-label").innerText.split(" · ")[0]);
}"""

MEASURE = (
    """() => {
  const CHARTS_OFF = """
    + CHARTS_OFF
    + """;
  const box = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const regions = {};
  for (const id of ["#diagram", "#goal", "#metrics", "#charts", "#controls", "#lesson"]) {
    const e = document.querySelector(id);
    if (e) regions[id] = box(e);
  }
  const svg = document.querySelector("#diagram svg");
  // CSS px per viewBox unit as drawn (a fitted diagram may be letterboxed in its element)
  const scale = svg.getScreenCTM().a;
  const labels = [...svg.querySelectorAll("text")].map(
    (t) => parseFloat(getComputedStyle(t).fontSize) * scale);
  // the nodes outside the diagram's frame: to be seen only by panning
  const pan = document.querySelector("#diagram-pan");
  const frame = pan.getBoundingClientRect();
  const hidden = [...svg.querySelectorAll("[data-node] > rect:not(.box-halo, .box-queue)")]
    .filter((r) => { const b = r.getBoundingClientRect(); return b.left < frame.left - 0.5
      || b.right > frame.right + 0.5 || b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5; })
    .map((r) => r.parentNode.dataset.node);
  const controls = document.querySelector("#controls");
  const shown = [...controls.querySelectorAll("button, input:not([type=hidden]), select")]
    .filter((e) => e.checkVisibility());  // not in a folded group
  // in view and not under anything (the pinned clock, the pinned run button): what the
  // learner can reach without scrolling
  const reachable = (e) => { const r = e.getBoundingClientRect();
    if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (hit === e || e.contains(hit)); };
  // what runs the experiment: every control group by its name, the clock (pause, speeds,
  // reset) and a stage's run button
  const runs = [...controls.querySelectorAll("details.sandbox-group > summary, .sandbox-clock button"),
    ...document.querySelectorAll("#lesson #run")];
  return {
    regions,
    viewport: {width: innerWidth, height: innerHeight},
    scrollWidth: document.documentElement.scrollWidth,
    scrollY: scrollY,
    smallestLabel: Math.min(...labels),
    frame: [pan.clientWidth, pan.clientHeight],
    hiddenNodes: hidden,
    // chart captions cut short (their line keys ellipsised or hidden: #14.3)
    cutCaptions: [...document.querySelectorAll("#charts figcaption")]
      .filter((c) => c.scrollWidth > c.clientWidth || [...c.querySelectorAll(".chart-line-key")]
        .some((k) => k.getBoundingClientRect().right > c.getBoundingClientRect().right + 0.5))
      .map((c) => c.innerText),
    // charts out of the row's view, by their caption's name; what the "more" button says;
    // the charts' axis labels as drawn (#14.3)
    offCharts: CHARTS_OFF(),
    more: document.querySelector("#chart-more").hidden ? ""
      : document.querySelector("#chart-more").innerText,
    smallestAxis: Math.min(...[...document.querySelectorAll("#charts .axis-label")].map(
      (t) => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a)),
    fit: svg.getAttribute("class"),
    controlsOverflow: controls.scrollHeight - controls.clientHeight,
    controlsShown: shown.length,
    groups: controls.querySelectorAll("details.sandbox-group").length,
    unreachable: runs.filter((e) => !reachable(e)).map((e) => e.id || e.innerText),
    controlsCut: shown.filter((e) => { const r = e.getBoundingClientRect(),
      c = controls.getBoundingClientRect(); return r.top < c.top || r.bottom > c.bottom; }).length,
    cards: getComputedStyle(document.querySelector("#nodes tbody tr")).display,
  };
}"""
)


def stage(slug: str) -> Any:
    return next(s for p in plans() for s in p.stages if s.slug == slug)


def start_a_run(page, where: str) -> None:
    """Mid-run: the sandbox after four simulated seconds; a stage with its solution applied
    (stage 13: fourteen nodes) and its experiment three seconds into the run (the shots
    `make screenshots` takes for docs/ wait longer: ``well_into_the_run``)."""
    if where == "sandbox":  # the first number with a unit of seconds: the simulated time
        page.wait_for_function(
            "() => { const m = document.querySelector('#status').innerText"
            ".match(/(\\d+(?:\\.\\d+)?)\\s*(?:s|초)/); return m && +m[1] >= 4; }"
        )
        return
    connected(page)
    page.locator("#skip-prediction").click()
    page.locator("#run").wait_for()
    for step in stage(where).solution:
        apply(page, dict(step))
    page.locator("#run").click()
    # "Run: 3 of 60 s", "실행: 60초 중 3초": the seconds run are the smaller of the first two
    page.wait_for_function(
        "() => { const g = document.querySelector('#goal .goal-run');"
        " const n = ((g && g.innerText.match(/\\d+/g)) || []).map(Number);"
        " return document.querySelector('#lesson.lesson-panel--running') && n.length > 1"
        " && Math.min(n[0], n[1]) >= 3; }"
    )


# The screenshots docs/ shows are taken this far into a run, so that the charts have a
# history; ``make test`` (no SCREENSHOT_DIR) takes its own a few seconds in, as it measures
# the layout alike (the wait, at 5× speed, is about 4 s a case: over a minute for all).
MID_RUN_S = 22
SIMULATED_S = (  # the simulated time the status line shows: its first number in seconds
    "() => { const m = document.querySelector('#status').innerText"
    ".match(/(\\d+(?:\\.\\d+)?)\\s*(?:s|초)/); return m ? +m[1] : 0; }"
)


def well_into_the_run(page) -> None:
    """At 5× speed until MID_RUN_S simulated seconds, then back at 1×, once the status line
    no longer says the run falls behind real time (as it may at 5× on a busy machine)."""
    page.locator("#speed-5").dispatch_event("click")  # not scrolled into view: the shot
    page.wait_for_function(f"() => ({SIMULATED_S})() >= {MID_RUN_S}", timeout=60_000)
    page.locator("#speed-1").dispatch_event("click")
    page.wait_for_function(
        "() => document.querySelector('#speed-1').getAttribute('aria-pressed') === 'true'"
        " && !document.querySelector('#status .sandbox-behind')",
        timeout=30_000,
    )


def inside(box: dict[str, float], viewport: dict[str, float]) -> bool:
    return (
        box["left"] >= 0
        and box["top"] >= 0
        and box["right"] <= viewport["width"]
        and box["bottom"] <= viewport["height"]
    )


@pytest.mark.screenshots
@pytest.mark.parametrize(("where", "size"), CASES)
def test_a_run_fits_the_screen(browser, app_url, csp_watch, language, where, size, screenshots):
    viewport, scale = SIZES[size]
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=scale,
        locale="ko-KR" if language == "ko" else "en-US",
    )
    violations = csp_watch(context)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.add_init_script(COUNT_MESSAGES)
        path = "/sandbox/" if where == "sandbox" else f"/lessons/{plans()[0].slug}/{where}/"
        page.goto(app_url + path)
        start_a_run(page, where)
        if os.environ.get("SCREENSHOT_DIR"):  # `make screenshots`: charts with a history
            well_into_the_run(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        measured = page.evaluate(MEASURE)
        if where != "sandbox":  # a stage's goals are level lines on its charts (#14.3)
            assert page.locator("#charts .goal-level").count() >= 1
        page.screenshot(path=str(screenshots / f"run-{where}-{size}-{language}.png"))
        if size == "375":  # a selected node's details fit the phone, its actions in reach
            page.locator("#diagram [data-select][data-node^='web']").first.click()
            panel = page.locator("#node-detail")
            panel.wait_for()
            box = panel.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
            assert panel.locator("#node-detail-close").is_visible()
        record(where, size, language, measured)
        # the diagram's smallest label is 11 px or more, or 8.5 px on a projector at 150 %
        # (12.75 px on its screen), where stage 13 shrinks to fit its frame whole
        assert measured["smallestLabel"] >= (8.5 if size == "projector" else 11), measured
        assert measured["cutCaptions"] == [], measured
        if size == "375":
            assert measured["scrollWidth"] <= 375, measured
            assert measured["cards"] == "grid", "the servers table is cards on a phone"
        else:
            regions = REGIONS if where == "sandbox" else (*REGIONS, "#goal", "#lesson")
            for region in regions:
                assert inside(measured["regions"][region], measured["viewport"]), (
                    region,
                    measured,
                )
            assert measured["scrollY"] == 0
            # the whole architecture in view: no node hidden until the learner pans (#14.1)
            assert measured["hiddenNodes"] == [], measured
            if size == "projector" and where != "sandbox":
                # the smallest frame a stage's diagram gets, which decides in Python whether a
                # diagram shrinks to fit (FIT_FRAME: test_diagram checks every stage with it)
                assert measured["frame"][0] >= FIT_FRAME[0], measured["frame"]
                assert measured["frame"][1] >= FIT_FRAME[1], measured["frame"]
            # a chart out of the row's view is named on the "more" button, whose press
            # (by keyboard) brings the first of them into view; axis labels 11 px or more
            for name in measured["offCharts"]:
                assert name in measured["more"], measured
            assert measured["smallestAxis"] >= 11, measured["smallestAxis"]
            if measured["offCharts"]:
                page.locator("#chart-more").focus()
                page.keyboard.press("Enter")
                first = measured["offCharts"][0]
                page.wait_for_function(f"() => !({CHARTS_OFF})().includes({first!r})")
            if where != "sandbox":
                # what runs the experiment is in reach without scrolling: every control group
                # by its name (those that do not fit folded), the clock and the run button;
                # the side column does not scroll (stage 14 on the projector hid 22 controls
                # below it, its column 1,076 px tall in 433)
                assert measured["groups"] >= 1, measured
                assert measured["unreachable"] == [], measured
                assert measured["controlsOverflow"] <= 0, measured
                assert measured["controlsCut"] == 0, measured
                text_as_a_drawer(page, measured)
        assert not re.search(r"Traceback|Server Error", page.content())
    finally:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


def text_as_a_drawer(page, measured: dict[str, Any]) -> None:
    """The stage text opened mid-run is a drawer over the side column: the run's regions
    stay in view and as wide (stage 7 on the projector: the diagram moved to y=534, cut on
    the right, the charts to y=831 of 720); focus moves into it, and back to its button
    when Escape closes it."""
    page.locator("#text-toggle").click()
    page.locator("#stage-text").wait_for()
    assert page.evaluate(
        "() => document.querySelector('#stage-text').contains(document.activeElement)"
    )
    opened = page.evaluate(MEASURE)
    assert opened["scrollY"] == 0 and opened["scrollWidth"] <= opened["viewport"]["width"]
    for region in ("#diagram", "#goal", "#metrics", "#charts"):
        box, before = opened["regions"][region], measured["regions"][region]
        assert inside(box, opened["viewport"]), (region, box)
        assert abs(box["left"] - before["left"]) <= 1 and abs(box["right"] - before["right"]) <= 1
    page.keyboard.press("Escape")
    page.locator("#stage-text").wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.id") == "text-toggle"


FIGURES = Path(__file__).resolve().parents[2] / "test-results" / "layout-figures.txt"


def record(where: str, size: str, language: str, measured: dict[str, Any]) -> None:
    """Keep the measured figures for the report (test-results/, ignored by git)."""
    FIGURES.parent.mkdir(exist_ok=True)
    boxes = {k: [round(v) for v in b.values()] for k, b in measured["regions"].items()}
    with FIGURES.open("a") as out:
        out.write(
            f"{where} {size} {language}: viewport {measured['viewport']} scrollWidth "
            f"{measured['scrollWidth']} smallest label {measured['smallestLabel']:.1f}px "
            f"diagram frame {measured['frame']} "
            f"controls overflow {measured['controlsOverflow']}px regions {boxes}\n"
        )
