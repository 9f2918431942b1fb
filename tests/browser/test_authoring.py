"""Authoring in the browser: an instructor creates a plan from the template, sees an error
at its line in the editor (in English, later in Korean) and fixes it, previews a stage as a student sees it, checks the
draft in a background worker (another process), publishes, opens it as a learner, exports
and re-imports it (identical text) and remixes a built-in plan. Screenshots: the editor
with an error, the preview and the check result."""

from __future__ import annotations

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

    # remix a built-in plan: its text, in my own plan
    page.goto(f"{app_url}/author/library/")
    page.locator("#remix-builtin-scale-from-zero").click()
    page.wait_for_selector(".cm-editor")
    assert "slug: scale-from-zero" in page.evaluate(f"{EDITOR}.getValue()")
