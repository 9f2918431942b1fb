"""A new learner walks every stage of the loaded plans, in English and in Korean.

For each stage: answer the prediction, apply the stage's solution through the visible
controls (the form whose hidden ``action`` is the action's name), run the experiment,
see the goal met, go on. Progress survives a reload and a server restart.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from lessons.format import read_plan_file

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
FIXTURE_PLAN = ROOT / "tests" / "lessons" / "fixtures" / "tiny.yaml"

RATIOS = {"read_ratio": "read_percent", "static_ratio": "static_percent",
          "target_utilization": "target_percent"}  # the forms ask for percentages
WORDS = {
    "en": {"met": "Goal met.", "done": "{n} of {n} stages done.", "zero": "0 of {n} stages done."},
    "ko": {"met": "목표를 달성했습니다.", "done": "{n}단계 중 {n}단계 완료.", "zero": "{n}단계 중 0단계 완료."},
}


def plans() -> list[Any]:
    """The plans the server loads (as conftest does): the shipped ones, else the test plan."""
    files = sorted((ROOT / "lessons" / "plans").glob("*.yaml")) or [FIXTURE_PLAN]
    return [read_plan_file(path, source=path.name)[0] for path in files]


def screenshot_stages(count: int) -> set[int]:
    """Three stages spread over the plan: the first, the middle, the last."""
    return {0, count // 2, count - 1}


def form_for(page, action: str, fields: dict[str, Any]):
    """The sandbox form that sends ``action``, matching hidden identity fields (the node)."""
    selector = f'form[ws-send]:has(input[name="action"][value="{action}"])'
    for name, value in fields.items():
        hidden = page.locator(f'{selector}:has(input[type="hidden"][name="{name}"][value="{value}"])')
        if hidden.count():
            selector = f'{selector}:has(input[type="hidden"][name="{name}"][value="{value}"])'
    form = page.locator(selector).first
    assert form.count(), f"no control for {action} {fields}"
    return form


def apply(page, step: dict[str, Any]) -> None:
    """Fill the action's form like a learner would and submit it."""
    data = {k: v for k, v in step.items() if k != "action"}
    form = form_for(page, step["action"], data)
    form.evaluate("f => { const d = f.closest('details'); if (d) d.open = true; }")
    for name, value in data.items():
        if name in RATIOS:
            name, value = RATIOS[name], round(float(value) * 100)
        field = form.locator(f'[name="{name}"]:not([type="hidden"])')
        if not field.count():
            continue  # a hidden identity field, matched above
        if field.get_attribute("type") == "checkbox":
            field.set_checked(bool(value))
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    form.locator('button[type="submit"]').click()
    time.sleep(0.4)
    assert page.locator("#error").inner_text().strip() == "", f"{step}: {page.locator('#error').inner_text()}"


def connected(page) -> None:
    """Wait until the page's WebSocket has delivered something (the stage's live state)."""
    page.wait_for_function("window.__wsMessages > 0")


def walk_stage(page, stage: Any, language: str, shot: Path | None) -> None:
    lesson = page.locator("#lesson")
    connected(page)
    if stage.predict is not None:
        lesson.locator(f'input[name="choice"][value="{stage.predict.answer}"]').check()
        page.locator("#predict-submit").click()
    page.locator("#run").wait_for()
    page.locator("#speed-5").click()
    for step in stage.solution:
        apply(page, dict(step))
    page.locator("#run").click()
    verdict = page.locator("#lesson .lesson-verdict")
    verdict.wait_for(timeout=(stage.duration_s / 5 * 4 + 30) * 1000)
    assert WORDS[language]["met"] in verdict.inner_text(), f"{stage.slug}: {verdict.inner_text()}"
    if stage.predict is not None:
        assert page.locator(".lesson-right").count() == 1  # the guess, compared
    if shot is not None:
        page.screenshot(path=str(shot))


@pytest.mark.parametrize("plan", plans(), ids=lambda p: p.slug)
def test_a_new_learner_walks_every_stage(page, app_server, language, plan):
    n = len(plan.stages)
    page.add_init_script(
        "window.__wsMessages = 0;"
        "document.addEventListener('htmx:wsAfterMessage', () => window.__wsMessages++);"
    )
    page.goto(f"{app_server.url}/lessons/{plan.slug}/")
    assert WORDS[language]["zero"].format(n=n) in page.locator("#plan-progress").inner_text()
    page.locator("#plan-progress a.button").click()
    shots = screenshot_stages(n)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for index, stage in enumerate(plan.stages):
        assert page.url.endswith(f"/lessons/{plan.slug}/{stage.slug}/")
        has_hangul = bool(re.search(r"[\uac00-\ud7a3]", page.locator("#lesson").inner_text()))
        assert has_hangul == (language == "ko")
        shot = SCREENSHOTS / f"lesson-{language}-{index + 1:02d}-{stage.slug}.png" if index in shots else None
        walk_stage(page, stage, language, shot)
        if index + 1 < n:
            page.locator("#next-stage").click()
            page.wait_for_url(f"**/lessons/{plan.slug}/{plan.stages[index + 1].slug}/")

    done = WORDS[language]["done"].format(n=n)
    page.goto(f"{app_server.url}/lessons/{plan.slug}/")
    assert done in page.locator("#plan-progress").inner_text()
    app_server.restart()
    page.reload()
    assert done in page.locator("#plan-progress").inner_text()
    assert page.locator(".plan-stage--done").count() == n
    page.goto(f"{app_server.url}/lessons/{plan.slug}/{plan.stages[0].slug}/")
    assert page.locator(".lesson-debrief").count() == 1  # done stages say so again


def test_the_evolution_page_draws_every_stage(page, app_url):
    for plan in plans():
        page.goto(f"{app_url}/lessons/{plan.slug}/evolution/")
        assert page.locator(".evolution-stage svg[role='img']").count() == len(plan.stages)


def test_sign_up_and_log_out(page, app_url, language):
    page.goto(f"{app_url}/lessons/")
    page.locator("#signup-link").click()
    name = f"learner-{language}-{int(time.time())}"
    page.get_by_label(re.compile("^(Username|사용자 이름)")).fill(name)
    page.locator("#id_password1").fill("a-long-pass-phrase-9")
    page.locator("#id_password2").fill("a-long-pass-phrase-9")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    assert name in page.locator(".account-nav").inner_text()
    page.locator("#logout").click()
    assert page.locator("#login-link").count() == 1

