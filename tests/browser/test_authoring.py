"""Authoring in the browser: an instructor creates a plan from the template, sees an error
at its line in the editor (in English, later in Korean) and fixes it, previews a stage as a
student sees it, checks the draft in a background worker (another process), publishes,
opens it as a learner, exports and re-imports it (identical text), captures from the
stage's own sandbox (in Korean: the solution by doing it, a failure recorded as a
scripted event, the architecture as the starting topology) and remixes a built-in plan.
Screenshots at 1366×768: the editor with an error, the preview, the check result and the
stage form with its sandbox."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from test_accessibility import axe_violations

pytestmark = pytest.mark.screenshots

EDITOR = "ArchitectEditor.attach(document.getElementById('plan-yaml'))"


def sign_up_instructor(page: Any, app_url: str, app_server: Any) -> None:
    page.goto(f"{app_url}/accounts/signup/")
    name = f"author-{uuid.uuid4().hex[:8]}"
    page.locator("#id_username").fill(name)
    page.locator("#id_password1").fill("a-long-pass-phrase-9")
    page.locator("#id_password2").fill("a-long-pass-phrase-9")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    page.wait_for_selector(".account-nav")
    app_server.manage("grant_instructor", name)


def _saved(page: Any) -> None:
    page.wait_for_function(
        "() => /revision|리비전/.test(document.getElementById('save-status').textContent)"
    )


@pytest.mark.parametrize("language", ["en"])
def test_author_a_plan_in_the_browser(page, app_url, app_server, screenshots, language):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_up_instructor(page, app_url, app_server)
    page.goto(f"{app_url}/author/")
    page.locator("#create-template").click()
    page.wait_for_selector(".cm-editor")
    original = page.evaluate(f"{EDITOR}.getValue()")
    lines = original.splitlines()
    line = lines.index("      answer: 1") + 1

    # an error shows at its line as one types, in the list and in the editor's gutter
    broken = original.replace("      answer: 1", "      answer: 7")
    page.evaluate(f"text => {EDITOR}.setValue(text)", broken)
    problem = page.locator(f"#problems li[data-line='{line}']")
    problem.wait_for()
    assert "stages[0].predict.answer" in problem.inner_text()
    page.locator(".cm-lint-marker-error").first.wait_for()
    _saved(page)
    page.locator(f"#problems a[data-line='{line}']").click()
    page.screenshot(path=screenshots / "authoring-editor-error.png")
    assert axe_violations(page) == []  # WCAG 2.2 AA, with a problem shown
    # leaving with unsaved changes asks first (the server is made unreachable for saves,
    # so the change stays unsaved however slow the machine is)
    page.route("**/autosave/", lambda route: route.abort())
    page.evaluate(f"text => {EDITOR}.setValue(text)", original)
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", answer)
    page.locator(".authoring-nav a").last.click()
    page.wait_for_function("() => true")
    assert dialogs == ["beforeunload"]
    page.unroute("**/autosave/")
    page.evaluate(f"text => {EDITOR}.setValue(text + '#')", original)
    page.evaluate(f"text => {EDITOR}.setValue(text)", original)
    page.locator("#no-problems").wait_for()
    _saved(page)
    assert page.locator("#problems li").count() == 0

    # preview: the learner's stage page, from the draft
    page.reload()
    with page.expect_popup() as popup_info:
        page.locator("#preview-bigger-server").click()
    preview = popup_info.value
    preview.set_viewport_size({"width": 1366, "height": 768})
    preview.wait_for_selector("#lesson")
    assert "A bigger server" in preview.locator("h1").inner_text()
    preview.wait_for_selector("#diagram svg, .diagram svg")
    preview.screenshot(path=screenshots / "authoring-preview.png")
    preview.close()

    # check: queued by the page, run by a worker process, shown as it finishes
    page.locator("#check-run").click()
    page.locator("#check-result").wait_for()
    app_server.manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    page.locator("#check .check-ok").wait_for(timeout=20_000)
    page.locator("#check").screenshot(path=screenshots / "authoring-check.png")

    # publish, then open it as a learner
    page.locator(".authoring-nav a", has_text="Publish").click()
    page.locator("#publish").click()
    page.locator("#open-learner").click()
    page.wait_for_selector(".stage-list, main h1")
    assert "My lesson plan" in page.locator("main h1").inner_text()
    page.go_back()

    # export, import the file, export again: the same text
    export_url = page.locator("#export-v1").get_attribute("href")
    exported = page.request.get(f"{app_url}{export_url}").body()
    assert exported == original.encode()
    page.goto(f"{app_url}/author/")
    page.locator("#import-file").set_input_files(
        {"name": "plan.yaml", "mimeType": "application/yaml", "buffer": exported}
    )
    page.locator("#import-submit").click()
    page.wait_for_selector(".cm-editor")
    draft_url = page.locator("#export-draft").get_attribute("href")
    assert page.request.get(f"{app_url}{draft_url}").body() == exported

    # in Korean, the editor says the same problem at the same line in Korean
    page.locator("#language-ko").click()
    page.wait_for_selector("html[lang='ko'] .cm-editor")
    page.evaluate(f"text => {EDITOR}.setValue(text)", broken)
    problem = page.locator(f"#problems li[data-line='{line}']")
    problem.wait_for()
    assert "선택지의 번호(0–1)여야 합니다" in problem.inner_text()
    page.evaluate(f"text => {EDITOR}.setValue(text)", original)
    page.locator("#no-problems").wait_for()
    _saved(page)

    capture_from_the_stage_sandbox(page, screenshots)

    # remix a built-in plan: its text, in my own plan
    page.goto(f"{app_url}/author/library/")
    page.locator("#remix-builtin-scale-from-zero").click()
    page.wait_for_selector(".cm-editor")
    assert "slug: scale-from-zero" in page.evaluate(f"{EDITOR}.getValue()")


STREAMING = """() => {
  const status = document.querySelector('#capture-frame').contentDocument.querySelector('#status');
  const found = status && status.textContent.match(/(\\d+(?:\\.\\d+)?)\\s*(?:s|초)/);
  return found && parseFloat(found[1]) > 0.3;
}"""


def _frame_time(frame: Any) -> float:
    found = re.findall(r"(\d+(?:\.\d+)?)\s*(?:s|초)", frame.locator("#status").inner_text())
    return float(found[0]) if found else 0.0


def capture_from_the_stage_sandbox(page: Any, screenshots: Any) -> None:
    """In Korean, on the imported plan's stage form: resize web-1 (the solution), record
    its failure (a scripted event at the second it happened), save both, then save the
    architecture as the starting topology; the form and the YAML say the same."""
    page.locator("#form-bigger-server").click()
    frame = page.frame_locator("#capture-frame")
    frame.locator("#status").wait_for()
    page.wait_for_function(STREAMING)  # the socket is open: simulated time moves
    frame.locator("#size-web-1").select_option("l")
    frame.locator("#resize-web-1").click()
    frame.locator("#capture-steps li").first.wait_for()
    assert frame.locator("#capture-steps").inner_text() == "{action: resize, node: web-1, size: l}"
    frame.locator("#capture-record").click()
    frame.locator("#capture-record[aria-pressed='true']").wait_for()
    assert "기록 중" in frame.locator("#capture-recording").inner_text()
    before = _frame_time(frame)
    frame.locator("#toggle-web-1").click()
    frame.locator("#capture-events li").first.wait_for()
    event = frame.locator("#capture-events").inner_text()
    at = float(re.findall(r"at: ([0-9.]+)", event)[0])
    assert event.endswith("action: fail, node: web-1}") and at >= before
    page.locator("#capture-frame").evaluate("frame => frame.scrollIntoView({block: 'start'})")
    frame.locator("#capture").evaluate("panel => panel.scrollIntoView({block: 'start'})")
    page.screenshot(path=screenshots / "authoring-capture-ko.png")

    with page.expect_navigation():
        page.locator("#capture-save-solution").click()
    assert "해답으로 저장했습니다" in page.locator("#stage-captured").inner_text()
    with page.expect_navigation():
        page.locator("#capture-save-events").click()
    assert "action: fail, node: web-1" in page.locator("#events").input_value()
    with page.expect_navigation():
        page.locator("#capture-save-topology").click()
    assert "시작 토폴로지로 저장했습니다" in page.locator("#stage-captured").inner_text()
    # the stage starts from the captured architecture now: its sandbox starts again there
    frame = page.frame_locator("#capture-frame")
    frame.locator("#capture-steps").wait_for(state="attached")
    assert frame.locator("#capture-steps li").count() == 0
    assert frame.locator("#size-web-1").input_value() == "l"
    page.locator(".authoring-nav a").first.click()
    page.wait_for_selector(".cm-editor")
    stage = page.evaluate(f"{EDITOR}.getValue()").split("    solution:")[0]
    assert re.search(r"- \{id: web-1, kind: web_server, size: l[,}]", stage)  # one line a node
    assert f"at: {at:g}" in stage and "action: fail" in stage
