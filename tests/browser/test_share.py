"""Share, export, import (#14.6) and compare A/B (#14.5) in a real browser, both languages.

One flow each: a learner (whose size dropdowns show their options whole, #14.7) changes the sandbox, opens the share page, copies the link,
exports YAML and PNG, imports a broken then a good file; another learner opens the link
and gets the same design. Compare: predict, run both, both frames stream, their charts level
and in view, one traffic control and one clock setting both. axe finds no
WCAG A/AA violation on the new pages; screenshots at 1366×768 and 375 px.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_accessibility import axe_violations
from test_lessons import COUNT_MESSAGES, connected

WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 375, "height": 812}
BROKEN = b"version: 1\nname: broken\nnodes:\n  - {id: a, kind: dnx}\nlinks: []\n"
SAYS = {
    "en": ("Line 4", "Share, export or import a design"),
    "ko": ("4번째 줄", "설계 공유, 내보내기, 가져오기"),
}


# The widest option's text against the room a size dropdown leaves it (its width less its
# padding, the right one holding the arrow): "M · $140/month" must show whole (#14.7).
SIZE_ROOM = """() => [...document.querySelectorAll("select[id^=size-]")].map((select) => {
  const style = getComputedStyle(select);
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = style.font;
  const widest = Math.max(...[...select.options].map((o) => pen.measureText(o.text).width));
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {id: select.id, widest, room};
})"""


def _size_dropdowns_fit(page) -> None:
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        measured = page.evaluate(SIZE_ROOM)
        assert measured, "no size dropdown to measure"
        for select in measured:
            assert select["widest"] <= select["room"], (size, select)
    page.set_viewport_size(WIDE)


def _shoot(page, screenshots: Path, name: str) -> None:
    for size, label in ((WIDE, "1366"), (NARROW, "375")):
        page.set_viewport_size(size)
        page.screenshot(path=str(screenshots / f"{name}-{label}.png"), full_page=True)
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= size["width"], f"{name} scrolls sideways at {label} px"
    page.set_viewport_size(WIDE)


def test_share_export_and_import(page, browser, app_url, language, screenshots, tmp_path):
    line, title = SAYS[language]
    # As a learner's browser grants its page the clipboard: without it headless Chromium
    # once left the copy's promise pending for 15 s (CI, load 6), and "Copied" never came.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page.add_init_script(COUNT_MESSAGES)
    page.goto(app_url + "/sandbox/")
    connected(page)
    _size_dropdowns_fit(page)
    with page.expect_response("**/accounts/guest/"):  # the guest's session, to keep it in
        page.locator("#separate-database").click()
    page.locator("#share-page-link").click()
    assert page.locator("h1").inner_text() == title
    assert page.locator('.share-diagram [data-node="db"]').count() == 1  # the kept design
    link = page.locator("#share-link").input_value()
    page.locator("#share-copy").click()
    page.locator("#share-copied").filter(has_text="C" if language == "en" else "복사").wait_for()
    if language == "ko":
        _shoot(page, screenshots, "share-ko")

    with page.expect_download() as exported:
        page.locator("#export-yaml").click()
    yaml_file = tmp_path / "design.yaml"
    exported.value.save_as(yaml_file)
    assert "id: db" in yaml_file.read_text(encoding="utf-8")
    with page.expect_download() as drawn:
        page.locator("#export-png").click()
    png = tmp_path / "design.png"
    drawn.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.locator("#import-file").set_input_files(
        {"name": "broken.yaml", "mimeType": "application/yaml", "buffer": BROKEN}
    )
    page.locator("#import-submit").click()
    assert line in page.locator("#import-problems").inner_text()
    if language == "en":  # axe once per page and test: the share page here, the preview in ko
        assert not axe_violations(page)
    page.locator("#import-file").set_input_files(str(yaml_file))
    page.locator("#import-submit").click()
    page.wait_for_url("**/sandbox/")
    assert page.locator('#diagram [data-node="db"]').count() == 1

    other = browser.new_context(locale="ko-KR" if language == "ko" else "en-US")
    try:
        theirs = other.new_page()
        theirs.goto(link)
        assert theirs.locator('.share-diagram [data-node="db"]').count() == 1
        if language == "ko":
            assert not axe_violations(theirs)
        theirs.locator("#open-design").click()
        theirs.wait_for_url("**/sandbox/")
        assert theirs.locator('#diagram [data-node="db"]').count() == 1
        theirs.goto(app_url + "/sandbox/open/?design=broken!")
        assert theirs.locator("#open-error").is_visible()
    finally:
        other.close()


# Each side's plots where the run page shows them: chart key -> [top, bottom] of its plot in
# the page's viewport (the frame's place plus the plot's place in the frame).
CHART_PLACES = """(side) => {
  const frame = document.getElementById("frame-" + side);
  const top = frame.getBoundingClientRect().top + frame.clientTop;
  return Object.fromEntries([...frame.contentDocument.querySelectorAll("#charts figure")].map(
    (f) => [f.dataset.chart, [top + f.querySelector("svg").getBoundingClientRect().top,
                              top + f.querySelector("svg").getBoundingClientRect().bottom]]));
}"""
SMALL = {"width": 1280, "height": 720}


def _charts_level_and_in_view(page) -> None:
    """At 1366×768 and 1280×720 every plot of A is level with the same plot of B, and the
    first row (served, p99, errors) of both is in view without scrolling."""
    for size in (WIDE, SMALL):
        page.set_viewport_size(size)
        a, b = page.evaluate(CHART_PLACES, "a"), page.evaluate(CHART_PLACES, "b")
        assert {"throughput", "latency", "errors"} <= a.keys() & b.keys(), (a, b)
        for key in a.keys() & b.keys():
            assert abs(a[key][0] - b[key][0]) < 1, (size, key, a[key], b[key])
        for key in ("throughput", "latency", "errors"):
            assert a[key][0] >= 0 and a[key][1] <= size["height"], (size, key, a[key])


def test_compare_two_designs_side_by_side(page, app_url, language, screenshots):
    page.set_default_timeout(60_000)  # two simulations stream at once: a hang, not speed
    page.add_init_script(COUNT_MESSAGES)
    page.goto(app_url + "/sandbox/compare/")
    if language == "en":  # axe once per page: the choice here, the run page in Korean
        assert not axe_violations(page)
    stage = page.locator("#b-source option").nth(3).get_attribute("value")
    page.locator("#b-source").select_option(stage)
    page.locator("#compare-start").click()  # no prediction yet: the browser asks for one
    assert page.url.endswith("/sandbox/compare/")
    page.locator("#predict-b").check()
    page.locator("#compare-start").click()
    page.wait_for_url("**/sandbox/compare/run/")
    for side in ("a", "b"):  # each side streams from its own socket
        page.frame_locator(f"#frame-{side}").locator("#status").wait_for()
        frame = page.frame(url=re.compile(f"/sandbox/compare/{side}/$"))
        assert frame is not None
        frame.wait_for_function("() => window.__wsMessages > 3")
        assert frame.locator("#diagram svg").count() == 1
        assert frame.locator(".site-header").is_hidden()
        assert frame.locator("#traffic-form").count() == 0  # the run page sets it for both
    verdict = page.locator("#compare-verdict")  # the readings compared, the prediction judged
    verdict.filter(has_text="So far" if language == "en" else "지금까지는").wait_for()
    _charts_level_and_in_view(page)  # B's charts have a line for its database by now
    page.locator("#compare-pause").click()  # one clock: both paused, then both running
    for state in ("resume", "pause"):
        for side in ("a", "b"):  # each side's own (hidden) button now offers the other state
            button = page.frame_locator(f"#frame-{side}").locator("form:has(#pause-resume)")
            button.locator(f'input[name="action"][value="{state}"]').wait_for(state="attached")
        if state == "resume":
            page.locator("#compare-pause").click()
    page.locator("#compare-rps").fill("300")  # one control: the same traffic on both sides
    page.locator("#compare-traffic-submit").click()
    for side in ("a", "b"):
        offered = page.frame_locator(f"#frame-{side}").locator("#metric-offered")
        offered.filter(has_text=re.compile(r"^300$")).wait_for()
    assert re.search(r"A \d+ ms, B \d+ ms", page.locator("#compare-figures").inner_text())
    prediction = page.locator("#compare-prediction").inner_text()
    assert ("B will have" in prediction) if language == "en" else ("B의 p99" in prediction)
    if language == "ko":
        assert not axe_violations(page)
    else:  # screenshots once per page: the share page's in Korean, these in English
        _shoot(page, screenshots, "compare-en")
