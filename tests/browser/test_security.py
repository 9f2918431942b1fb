"""The Content-Security-Policy in a real browser, and the lazily created guest session.

Every browser test fails on a CSP violation (``watch_csp`` in conftest.py); the first
test here shows that the watch really catches one.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(check: Callable[[], bool], page, timeout: float = 10.0) -> bool:
    """Poll ``check`` while letting Playwright deliver the page's events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        page.wait_for_timeout(50)
    return check()


def test_the_csp_watch_catches_an_inline_script_and_style(browser, app_url, csp_watch):
    context = browser.new_context()
    try:
        violations = csp_watch(context)
        page = context.new_page()
        response = page.goto(f"{app_url}/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.__ran = true";
                document.head.append(script);
                document.body.setAttribute("style", "color: red");
            }"""
        )
        assert eventually(lambda: len(violations) >= 2, page), violations
        assert page.evaluate("window.__ran === undefined")  # the inline script did not run
        assert any("script-src-elem" in v for v in violations), violations
        assert any("style-src-attr" in v for v in violations), violations
    finally:
        context.close()


def test_a_guest_gets_a_session_cookie_only_once_there_is_progress(page, app_url, language):
    """Reading a stage sets no session cookie; the first prediction does (the socket makes
    the session, the page adopts it with one htmx POST), and a reload shows it kept."""
    page.goto(f"{app_url}/lessons/")
    page.locator("main a[href^='/lessons/']").first.click()  # a plan
    page.locator("#plan-progress a.button").click()  # its first stage
    page.locator("#predict-form").wait_for()  # the stage page has loaded (count() would not wait)
    assert page.locator("#predict-form").count() == 1

    def session_cookie() -> bool:
        return any(c["name"] == "sessionid" for c in page.context.cookies())

    page.wait_for_selector("#status")  # the stage is drawn
    assert not session_cookie()
    page.locator("#predict-form input[name='choice']").first.check()
    with page.expect_response("**/accounts/guest/") as adopted:
        page.locator("#predict-submit").click()
    assert adopted.value.status == 204
    assert session_cookie()
    page.reload()
    assert page.locator(".lesson-guess").count() == 1  # "You predicted: …", kept
