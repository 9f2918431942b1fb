"""WCAG 2.2 AA in a real browser (issue #14.8), in English and Korean.

axe-core (axe-playwright-python bundles it; nothing is fetched) checks the home, sandbox,
stage, overview and sign-in pages against the WCAG 2.0-2.2 A and AA rules, with the
sandbox and the stage mid-run: zero violations. A keyboard walk through each page shows a
visible focus ring on every stop, and focus is never lost to ``<body>`` when the control
that held it goes away.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_lessons import COUNT_MESSAGES, apply, connected, plans, tab_to

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def page_paths() -> dict[str, str]:
    plan = plans()[0]
    return {
        "home": "/",
        "sandbox": "/sandbox/",
        "stage": f"/lessons/{plan.slug}/{plan.stages[3 if len(plan.stages) > 3 else 0].slug}/",
        "overview": f"/lessons/{plan.slug}/",
        "sign-in": "/accounts/login/",
    }


def axe_violations(page) -> list[str]:
    """axe's WCAG A/AA violations on the page as it is now, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    found: list[str] = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(
                f"{violation['id']} ({violation['impact']}): {node['target']} "
                f"{node.get('failureSummary', '')[:300]}"
            )
    return found


# The run has passed its first failure (a failure's mark on the charts) and the event log
# has entries: what a learner watches most of a run (axe once missed the log's markup).
FAILED_AND_LOGGED = (
    "() => document.querySelector('#charts .mark-failure')"
    " && document.querySelectorAll('#events-list li').length > 0"
)


def mid_run(page, where: str) -> None:
    """The live pages as a learner watches them: the sandbox streaming, a stage running
    with its solution applied (so every kind of control it offers is drawn), at 5× until
    its first failure is logged."""
    if where == "sandbox":
        connected(page)
        page.wait_for_function("() => window.__wsMessages > 3")
    elif where == "stage":
        connected(page)
        page.locator("#skip-prediction").click()
        page.locator("#run").wait_for()
        stage = plans()[0].stages[3 if len(plans()[0].stages) > 3 else 0]
        for step in stage.solution:
            apply(page, dict(step))
        page.locator("#speed-5").click()
        page.locator("#run").click()
        page.wait_for_function(FAILED_AND_LOGGED)


def node_details(page) -> None:
    """A node's details open, as a learner sees them after picking a server, then a node
    without sizes (dns): what the second shows must not keep the first's, and no control
    the node lacks shows (each hidden one is not drawn)."""
    panel = page.locator("#node-detail")
    for node in ("web-1", "dns"):
        page.locator(f"#diagram [data-node='{node}']").click()
        page.wait_for_function(
            f"() => document.getElementById('node-detail-name').textContent === '{node}'"
        )
    drawn = panel.evaluate(
        "p => [...p.querySelectorAll('[hidden]')].filter(e => e.getClientRects().length)"
        ".map(e => e.id)"
    )
    assert not drawn, drawn
    assert panel.is_visible()


@pytest.mark.parametrize("where", ["home", "sandbox", "stage", "overview", "sign-in"])
def test_no_wcag_violations(page, app_url, language, where):
    page.add_init_script(COUNT_MESSAGES)
    page.goto(app_url + page_paths()[where])
    mid_run(page, where)
    violations = axe_violations(page)
    if where == "stage":
        # a long run's log scrolls (60 entries): shrunk here so that these few do too
        page.locator("#events-log").evaluate("e => { e.style.maxHeight = '2rem'; }")
        node_details(page)
        violations += [f"node details: {v}" for v in axe_violations(page)]
    assert not violations, "\n".join(violations)


def test_the_narrow_sandbox_has_no_wcag_violations(browser, app_url, csp_watch, language):
    """On a phone the servers table is cards and the diagram pans: still AA, and a header's
    explaining button is seen when it has focus."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        locale="ko-KR" if language == "ko" else "en-US",
    )
    csp = csp_watch(context)
    try:
        page = context.new_page()
        page.add_init_script(COUNT_MESSAGES)
        page.goto(app_url + "/sandbox/")
        mid_run(page, "sandbox")
        violations = axe_violations(page)
        # the cards' hidden header row shows while one of its explaining buttons has focus
        seen = page.locator("#explain-col-busy").evaluate(
            """e => { e.focus(); const r = e.getBoundingClientRect();
            return e.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2))
              && r.width > 20; }"""
        )
    finally:
        context.close()
    assert not violations, "\n".join(violations)
    assert seen
    assert not csp, csp


# Every element the Tab key reaches, with what shows it has focus.
FOCUS_STATE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2)
    || (s.boxShadow && s.boxShadow !== "none");
  const r = e.getBoundingClientRect();
  return {
    what: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : ""),
    ring: !!ring,
    visible: r.width > 0 && r.height > 0,
  };
}"""


@pytest.mark.parametrize("where", ["home", "sandbox", "stage", "sign-in"])
def test_every_tab_stop_shows_its_focus(page, app_url, language, where):
    """Tab through the page: each stop is a real, visible element with a 2 px ring (or a
    shadow), and the walk never falls to <body> before the page's end."""
    page.add_init_script(COUNT_MESSAGES)
    page.goto(app_url + page_paths()[where])
    if where in ("sandbox", "stage"):
        connected(page)
    if where == "sign-in":  # the form's first field takes focus at once; walk from the top
        assert page.evaluate("() => document.activeElement.id") == "id_username"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
    stops: list[dict[str, Any]] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (stops and state["what"] == stops[0]["what"] and state["what"]):
            break
        stops.append(state)
    assert len(stops) >= 3, stops
    unseen = [s for s in stops if not (s["ring"] and s["visible"])]
    assert not unseen, unseen
    if where != "sign-in":
        assert stops[0]["what"] == "a.skip-link", stops[0]  # the first stop skips the header


def test_focus_stays_in_the_controls_when_the_used_control_goes_away(page, app_url, language):
    """Adding the load balancer removes its button (it can be added once): focus moves to
    the control that took its place in the same panel, never to <body>."""
    page.add_init_script(COUNT_MESSAGES)
    page.goto(app_url + "/sandbox/")
    connected(page)
    tab_to(page, "button#add-load-balancer")
    before = page.evaluate("window.__wsAnswers")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.__wsAnswers > {before}")
    page.wait_for_function("() => !document.querySelector('#add-load-balancer')")
    where = page.evaluate(
        "() => { const e = document.activeElement; return e === document.body ? 'body'"
        " : (e.closest('#controls') ? 'controls' : e.tagName); }"
    )
    assert where == "controls"
    page.keyboard.press("Tab")  # and the walk goes on from there
    assert page.evaluate("() => document.activeElement !== document.body")


def test_the_check_sees_a_violation(page, app_url, language):
    """The checker is live: a nameless button and grey-on-white text are reported."""
    page.goto(app_url + "/")
    assert not axe_violations(page)
    page.evaluate(
        """() => { const main = document.querySelector("main");
        main.insertAdjacentHTML("beforeend", '<button type="button"></button>');
        const p = document.createElement("p"); p.textContent = "faint";
        p.style.color = "#bbb"; main.append(p); }"""
    )
    found = " ".join(axe_violations(page))
    assert "button-name" in found and "color-contrast" in found, found
