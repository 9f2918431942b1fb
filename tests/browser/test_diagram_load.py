"""The diagram shows load in the browser (issue #14.2), in English and Korean: an overloaded
server is filled darkest and named the bottleneck, links flow (still under
prefers-reduced-motion), and a tick's redraw keeps the lines, so the flow is not restarted
five times a second."""

from __future__ import annotations

import re

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


def test_an_overloaded_server_is_the_named_bottleneck_and_links_flow(page, app_url, language):
    open_sandbox(page, app_url)
    diagram = page.locator("#diagram")
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
