"""A class in the browser: an instructor starts a room from the shipped plan, opens the
console and the projector; three students (one in Korean) join from the home page on
phones, answer the poll, and follow the room as the instructor reveals, pauses and moves
on. Screenshots: the projector at 1920×1080, the console, a Korean phone at 375 px."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.screenshots

PHONE = {"width": 375, "height": 740}
# The projector's minimum sizes at 1920×1080 (classrooms.css): read from the back of a room.
MIN_PX = {"code": 96, "figures": 48, "text": 24, "diagram_label": 20, "legend": 20}
# A 1920×1080 projector at 150 % zoom lays the page out in 1280×720 CSS pixels.
ZOOMED = {"width": 1280, "height": 720}


def sign_up_instructor(page: Any, app_url: str, app_server: Any) -> None:
    page.goto(f"{app_url}/accounts/signup/")
    name = f"teacher-{uuid.uuid4().hex[:8]}"
    page.locator("#id_username").fill(name)
    page.locator("#id_password1").fill("a-long-pass-phrase-9")
    page.locator("#id_password2").fill("a-long-pass-phrase-9")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    page.wait_for_selector(".account-nav")
    app_server.manage("grant_instructor", name)


def join(
    browser: Any,
    watch_csp: Any,
    app_url: str,
    code: str,
    name: str,
    locale: str,
    request: pytest.FixtureRequest,
) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    request.addfinalizer(context.close)  # however the test ends
    violations = watch_csp(context)
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(f"{app_url}/")
    phone.locator("#join-class").click()
    phone.locator("#join-code").fill(code.lower())  # as typed on a phone
    phone.locator("#join-name").fill(name)
    phone.locator("#join-submit").click()
    phone.wait_for_url(f"**/join/{code}/")
    try:
        phone.wait_for_selector("#student-stage h1")
    except Exception:
        print(phone.content()[:3000])
        raise
    return context, phone, violations


def px(page: Any, selector: str, what: str = "fontSize") -> float:
    """The smallest rendered size among ``selector``'s elements (font size or height)."""
    if what == "height":
        script = "els => Math.min(...els.map(e => e.getBoundingClientRect().height))"
    else:
        script = "els => Math.min(...els.map(e => parseFloat(getComputedStyle(e).fontSize)))"
    return float(page.locator(selector).evaluate_all(script))


def in_view(page: Any, selector: str) -> bool:
    """Whether ``selector`` is drawn whole inside the viewport, without scrolling, once the
    page has settled (within 10 s: a fresh tab's first messages and the board's images may
    still be moving it; under load a spotlight was measured before they had)."""
    try:
        page.wait_for_function(
            "(s) => { const e = document.querySelector(s); if (!e) return false;"
            " const r = e.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= innerHeight + 0.5; }",
            arg=selector,
            timeout=10_000,
        )
    except PlaywrightTimeout:
        return False
    return True


def try_it_yourselves(console: Any, projector: Any, phones: list[Any], screenshots: Path) -> None:
    """Copies handed out; two students change theirs and run the stage; the board fills
    and one design goes on the projector, anonymised."""
    console.locator("#try-start").click()
    for phone, rps in zip(phones, ("280", "150"), strict=True):
        phone.set_default_timeout(90_000)  # each phone now runs its own simulation
        try:
            phone.locator("#speed-5").click(no_wait_after=True)
            phone.locator("#traffic-rps").fill(rps)  # the goal asks for 225 req/s served
            phone.locator("#traffic-submit").click(no_wait_after=True)
            phone.locator("#run").click(no_wait_after=True)
        except Exception:
            phone.screenshot(path=str(screenshots / "classroom-failed-phone.png"))
            raise
    rows = "#board tbody tr"
    projector.wait_for_function(  # the third student's copy is on the board too, untried
        f"() => [...document.querySelectorAll('{rows}')].filter("
        "r => /met/.test(r.textContent)).length === 2",
        timeout=90_000,
    )
    board = projector.locator("#board").inner_text()
    assert "✓ met" in board and "✗ not met" in board and "$" in board and " ms" in board
    assert "Ada" not in board and "민준" not in board  # designs by number only
    assert projector.locator("#board button").count() == 0  # only the console shows them
    phones[1].screenshot(path=str(screenshots / "classroom-phone-copy-ko.png"), full_page=True)
    console.locator("#board tbody tr").first.locator("button").click()  # the design met
    projector.wait_for_selector("#spotlight-heading")
    shown = projector.locator("#spotlight").inner_text()
    assert "Design #1" in shown and "Goal met" in shown and "Ada" not in shown
    assert in_view(projector, "#spotlight")  # the board grows with the class
    projector.screenshot(path=str(screenshots / "classroom-projector-spotlight.png"))


def projector_in_korean(browser: Any, teacher: Any, url: str, screenshots: Path) -> None:
    """The same projector in Korean (for the Korean guide), as another tab would show it."""
    context = browser.new_context(
        locale="ko-KR", viewport={"width": 1920, "height": 1080},
        storage_state=teacher.storage_state(),
    )  # fmt: skip
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        page.wait_for_selector("#spotlight-heading")
        assert "설계 #1" in page.locator("#spotlight").inner_text()
        assert in_view(page, "#spotlight")  # the board grows with the class
        page.screenshot(path=str(screenshots / "classroom-projector-ko.png"))
    finally:
        context.close()


def test_a_class_runs_in_the_browser(browser, app_url, app_server, screenshots, csp_watch, request):
    watch_csp = csp_watch

    def server_log() -> None:  # the server's side, shown when the test fails
        app_server.log.flush()
        tail = Path(app_server.log.name).read_text(errors="replace").splitlines()[-80:]
        print("\n".join(line for line in tail if "/static/" not in line))

    request.addfinalizer(server_log)
    teacher = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 1000})
    # Closed however the test ends: a context left open keeps its pages' live simulations
    # ticking (Chromium and daphne CPU) through every later test.
    request.addfinalizer(teacher.close)
    violations = watch_csp(teacher)
    console = teacher.new_page()
    console.set_default_timeout(30_000)
    sign_up_instructor(console, app_url, app_server)
    console.goto(f"{app_url}/classroom/")
    console.locator("#room-plan").select_option("scale-from-zero")
    console.locator("#room-start").click()
    console.wait_for_selector("#console-room h2")
    code = console.locator("#room-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    console.wait_for_selector("#metrics")
    # The room is the instructor's: paused here, it is paused on every screen (and this
    # loaded machine has a quiet browser for the rest of the test).
    console.locator("#pause-resume").click()
    console.wait_for_function(
        "() => /Paused/.test((document.querySelector('#status')?.textContent ?? ''))"
    )

    projector = teacher.new_page()
    projector.set_default_timeout(30_000)
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"{app_url}/classroom/{code}/projector/")
    projector.wait_for_selector("#projector-stage h1")
    projector.wait_for_selector("#diagram svg")

    students = [join(browser, watch_csp, app_url, code, name, locale, request)
                for name, locale in (("Ada", "en-US"), ("민준", "ko-KR"), ("Lin", "en-US"))]  # fmt: skip
    korean = students[1][1]
    assert "모든 것을 처리하는 서버 한 대" in korean.locator("#student-stage h1").inner_text()
    assert "One server does everything" in students[0][1].locator("#student-stage h1").inner_text()
    console.wait_for_function(
        "() => /3 students here/.test((document.querySelector('#dashboard h2')?.textContent ?? ''))"
    )

    # The poll: answers counted, not shown, until the instructor reveals them.
    console.locator("#poll-open").click()
    for index, (_context, phone, _violations) in enumerate(students):
        phone.wait_for_selector("#vote-form")
        phone.locator("#vote-form input[name=choice]").nth(1 if index < 2 else 2).check()
        phone.locator("#vote-submit").click()
        phone.wait_for_selector("#student-mine")
    projector.wait_for_function(
        "() => /3 of 3 answered/.test((document.querySelector('#poll-answered')?.textContent ?? ''))"
    )
    assert projector.locator(".room-histogram").count() == 0
    console.locator("#poll-reveal").click()
    projector.wait_for_selector(".room-histogram")
    bars = projector.locator(".room-histogram rect").evaluate_all(
        "rects => rects.map(r => r.getAttribute('width'))"
    )
    assert bars == ["0", "67", "33", "0"]
    korean.wait_for_selector(".room-histogram")
    assert "반 전체의 예측" in korean.locator("#student-poll h2").inner_text()

    # Readable from the back of the room.
    sizes = {
        "code": px(projector, "#projector-code"),
        "figures": px(projector, "#projector-metrics dd"),
        "text": px(projector, "#projector-stage p, #poll-results th"),
        "diagram_label": px(projector, "#diagram svg text.box-label", "height"),
        "legend": px(projector, "#diagram .diagram-legend"),
    }
    assert all(sizes[key] >= MIN_PX[key] for key in MIN_PX), sizes
    # The four-choice poll stays above the fold, at 100 % and at 150 % zoom.
    assert in_view(projector, "#poll-results") and in_view(projector, "#diagram")
    projector.screenshot(path=str(screenshots / "classroom-projector.png"), timeout=120_000)
    projector.set_viewport_size(ZOOMED)
    assert in_view(projector, "#poll-results") and in_view(projector, "#diagram")
    projector.set_viewport_size({"width": 1920, "height": 1080})

    assert "일시 정지됨" in korean.locator("#status").inner_text()
    try_it_yourselves(console, projector, [students[0][1], korean], screenshots)
    projector_in_korean(browser, teacher, projector.url, screenshots)

    # The room moves on: every phone follows.
    console.locator("#stage-select").select_option("1")
    console.locator("#stage-submit").click()
    for _context, phone, _violations in students:
        phone.wait_for_function(
            "() => /2/.test((document.querySelector('.student-number')?.textContent ?? ''))"
        )
    console.wait_for_function(
        "() => /Stage 2 of/.test((document.querySelector('#console-room-heading')?.textContent ?? ''))"
    )
    console.screenshot(
        path=str(screenshots / "classroom-console.png"), full_page=True, timeout=120_000
    )
    korean.screenshot(
        path=str(screenshots / "classroom-phone-ko.png"), full_page=True, timeout=120_000
    )
    width = korean.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the phone page scrolls sideways: {width} px"

    # A reload reconnects into the room where it is now.
    students[0][1].reload()
    students[0][1].wait_for_function(
        "() => /2/.test((document.querySelector('.student-number')?.textContent ?? ''))"
    )

    console.locator(".room-end summary").click()
    console.locator("#room-end").click()
    korean.wait_for_function(
        "() => (document.querySelector('#student-banner')?.textContent ?? '').includes('수업이 끝났습니다')"
    )
    for _context, _phone, seen in students:
        violations += seen
    assert not violations, violations
