"""A learner walks every stage of the loaded plans, in English and in Korean.

For each stage: answer the prediction, apply the stage's solution through the visible
controls (the form whose hidden ``action`` is the action's name), run the experiment,
see the goal met, try its experiments alike (each in one of the two languages), go on.
Each stage is a test of its own (so the browser pass can run them on both cores), played
by a guest who completed the earlier stages; after the last one every stage is done,
through a reload and a server restart.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import LANGUAGES, AppServer
from django.conf import settings

from lessons.format import read_plan_file

from helpers.learners import learner_name

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PLAN = ROOT / "tests" / "lessons" / "fixtures" / "tiny.yaml"

RATIOS = {
    "read_ratio": "read_percent",
    "static_ratio": "static_percent",
    "target_utilization": "target_percent",
    "assets": "assets_percent",
}  # the forms ask for percentages
WORDS = {
    "en": {
        "met": "Goal met.",
        "stages": "{done} of {n} stages done.",
        "tried": "{done} of {n} “try it” experiments done.",
    },
    "ko": {
        "met": "목표를 달성했습니다.",
        "stages": "{n}단계 중 {done}단계 완료.",
        "tried": "“직접 해 보기” 실험 {n}개 중 {done}개 완료.",
    },
}


def plans() -> list[Any]:
    """The plans the server loads (as conftest does): the shipped ones, else the test plan."""
    files = sorted((ROOT / "lessons" / "plans").glob("*.yaml")) or [FIXTURE_PLAN]
    return [read_plan_file(path, source=path.name)[0] for path in files]


# "Try it" experiments shot at 1366×768 in both languages, once their goal is met
# (docs/screenshots; docs/concepts.md shows them beside their concepts).
SHOT_EXPERIMENTS = {
    "replica-fails",
    "new-asset-version",
    "evening-peak",
    "cdn-cost",
    "data-sync",
    "resharding",
    "celebrity",
}


def screenshot_stages(count: int) -> set[int]:
    """Three stages spread over the plan: the first, two thirds in, the last
    (for the shipped chapter: one server, data centers, the final challenge)."""
    return {0, count * 2 // 3, count - 1}


def form_for(page, action: str, fields: dict[str, Any]):
    """The sandbox form that sends ``action``, matching hidden identity fields (the node)."""
    selector = f'form[ws-send]:has(input[name="action"][value="{action}"])'
    # A node's controls come with the node, possibly in a message after the answer to the
    # step that added it: wait for them to be drawn (the assertion below still holds).
    drawn = selector
    if "node" in fields:
        drawn += f':has(input[type="hidden"][name="node"][value="{fields["node"]}"])'
    page.locator(drawn).first.wait_for(state="attached")
    for name, value in fields.items():
        hidden = page.locator(
            f'{selector}:has(input[type="hidden"][name="{name}"][value="{value}"])'
        )
        if hidden.count():
            selector = f'{selector}:has(input[type="hidden"][name="{name}"][value="{value}"])'
    form = page.locator(selector).first
    assert form.count(), f"no control for {action} {fields}"
    return form


def apply(page, step: dict[str, Any]) -> None:
    """Fill the action's form like a learner would and submit it."""
    data = {k: v for k, v in step.items() if k != "action"}
    form = form_for(page, step["action"], data)
    # open the details it is in (a folded control group, the traffic mix), as a learner would
    form.evaluate(
        "f => { for (let d = f.closest('details'); d; d = d.parentElement.closest('details'))"
        " d.open = true; }"
    )
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
    before = page.evaluate("window.__wsAnswers")
    form.locator('button[type="submit"]').click()
    page.wait_for_function(f"() => window.__wsAnswers > {before}")  # the server's answer
    assert page.locator("#error").inner_text().strip() == "", (
        f"{step}: {page.locator('#error').inner_text()}"
    )


# Counts the page's WebSocket messages, and among them the answers (they carry #error).
COUNT_MESSAGES = (
    "window.__wsMessages = 0; window.__wsAnswers = 0;"
    "document.addEventListener('htmx:wsAfterMessage', (event) => {"
    " window.__wsMessages++;"
    " if (event.detail.message.includes('id=\"error\"')) window.__wsAnswers++; });"
)


def connected(page) -> None:
    """Wait until the page's WebSocket has delivered something (the stage's live state)."""
    # A function, not an expression: Playwright evals an expression in the page, which the
    # CSP (no unsafe-eval) refuses.
    page.wait_for_function("() => window.__wsMessages > 0")


def walk_stage(
    page, stage: Any, language: str, shot: Path | None, *, full_page: bool = False
) -> None:
    lesson = page.locator("#lesson")
    connected(page)
    if stage.predict is not None and stage.predict.estimate is not None:
        lesson.locator("#predict-estimate").fill(str(stage.predict.estimate.answer))
        page.locator("#predict-submit").click()
    elif stage.predict is not None:
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
        page.evaluate("window.scrollTo(0, 0)")  # from its top, wherever the controls scrolled
        page.screenshot(path=str(shot), full_page=full_page)


def walked_experiments(plan: Any, index: int, language: str) -> list[Any]:
    """The experiments of stage ``index`` the walk in ``language`` plays in the browser.

    Every experiment is played in one language, the plan's experiments alternating between
    them (the stage's controls are the same forms in both; its texts in both languages are
    checked by the catalogue and the page tests, and its goal by check_lessons on every
    seed): half the walk's heaviest runs, each experiment still walked once. `make
    screenshots` (``SCREENSHOT_DIR`` set) plays every experiment in both, for the docs'
    shots of both languages.
    """
    stage = plan.stages[index]
    if os.environ.get("SCREENSHOT_DIR"):
        return list(stage.experiments)
    first = sum(len(s.experiments) for s in plan.stages[:index])  # the plan's count so far
    return [
        experiment
        for number, experiment in enumerate(stage.experiments, start=first)
        if LANGUAGES[number % len(LANGUAGES)] == language
    ]


def try_experiments(
    page, stage: Any, experiments: list[Any], language: str, screenshots: Path
) -> None:
    """Each of ``experiments``, offered once the stage's goal is met: open it from the stage
    page, walk it like a stage (its own prediction, controls and goal), come back."""
    for experiment in experiments:
        link = page.locator(f"#try-{experiment.slug}")
        link.click()
        page.wait_for_url(f"**/{stage.slug}/try/{experiment.slug}/")
        shot = None
        if experiment.slug in SHOT_EXPERIMENTS:
            page.set_viewport_size({"width": 1366, "height": 768})
            shot = screenshots / f"lesson-{language}-try-{experiment.slug}-1366x768.png"
        walk_stage(page, experiment, language, shot, full_page=True)  # its table and log too
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.locator("#back-to-stage").click()
        page.wait_for_url(f"**/{stage.slug}/")
        assert page.locator(f"#try-{experiment.slug}").count() == 1  # still offered, marked done
        assert page.locator(f".lesson-try--done #try-{experiment.slug}").count() == 1


def stage_walks() -> list[Any]:
    """``(plan, index)`` for every stage of every loaded plan: the walk is one test per stage
    (and language), so the browser pass can spread it over the cores."""
    return [
        pytest.param(plan, index, id=f"{plan.slug}/{index + 1:02d}-{stage.slug}")
        for plan in plans()
        for index, stage in enumerate(plan.stages)
    ]


@pytest.fixture(scope="session")
def learners(fast_server: AppServer) -> dict[str, str]:
    """For every stage of the loaded plans and each language, the session key of a guest
    who completed the earlier stages and their experiments (helpers.learners)."""
    out = fast_server.manage(
        "shell",
        "-c",
        "import sys; sys.path.insert(0, 'tests');"
        f" from helpers.learners import print_learners; print_learners(*{LANGUAGES!r})",
    )
    keys: dict[str, str] = json.loads(out.splitlines()[-1])
    return keys


def as_learner(page, server: AppServer, key: str) -> None:
    """The page's browser holds the guest session ``key`` (its cookie, as the app sets it)."""
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": server.url}]
    )


def progress(page, language: str, done: int, total: int, tried: int, offered: int) -> None:
    """The plan page counts ``done`` stages of ``total`` and ``tried`` experiments of
    ``offered``."""
    shown = page.locator("#plan-progress").inner_text()
    assert WORDS[language]["stages"].format(done=done, n=total) in shown, shown
    if offered:
        assert WORDS[language]["tried"].format(done=tried, n=offered) in shown, shown


@pytest.mark.screenshots
@pytest.mark.parametrize(("plan", "index"), stage_walks())
def test_a_learner_walks_each_stage(
    page, fast_server, learners, language, plan, index, screenshots: Path
):
    """A learner who completed the stages before ``index`` (and their experiments) continues
    from the plan page, walks the stage and its experiments (``walked_experiments``) in the
    browser, and goes on: the plan page then counts one stage more and the experiments
    walked. After
    the last stage every stage is done, and stays done through a server restart."""
    app_server = fast_server
    n, stage = len(plan.stages), plan.stages[index]
    offered = sum(len(s.experiments) for s in plan.stages)
    tried_before = sum(len(s.experiments) for s in plan.stages[:index])
    as_learner(page, app_server, learners[learner_name(plan.slug, language, index)])
    page.add_init_script(COUNT_MESSAGES)
    overview = f"{app_server.url}/lessons/{plan.slug}/"
    page.goto(overview)
    progress(page, language, index, n, tried_before, offered)
    page.locator("#plan-progress a.button").click()  # Start, or Continue: the first not done
    page.wait_for_url(f"**/lessons/{plan.slug}/{stage.slug}/")
    has_hangul = bool(re.search(r"[\uac00-\ud7a3]", page.locator("#lesson").inner_text()))
    assert has_hangul == (language == "ko")
    shot = (
        screenshots / f"lesson-{language}-{index + 1:02d}-{stage.slug}.png"
        if index in screenshot_stages(n)
        else None
    )
    walk_stage(page, stage, language, shot)
    walked = walked_experiments(plan, index, language)
    try_experiments(page, stage, walked, language, screenshots)
    if index + 1 < n:
        page.locator("#next-stage").click()
        page.wait_for_url(f"**/lessons/{plan.slug}/{plan.stages[index + 1].slug}/")
    page.goto(overview)
    progress(page, language, index + 1, n, tried_before + len(walked), offered)
    if index + 1 < n:
        return
    page.screenshot(path=str(screenshots / f"lesson-{language}-overview.png"))
    app_server.restart()
    page.reload()
    progress(page, language, n, n, tried_before + len(walked), offered)
    assert page.locator(".plan-stage--done").count() == n
    page.goto(f"{app_server.url}/lessons/{plan.slug}/{stage.slug}/")
    assert page.locator(".lesson-debrief").count() == 1  # done stages say so again


@pytest.mark.screenshots
def test_the_evolution_page_draws_every_stage(page, app_url, language, screenshots: Path):
    for plan in plans():
        page.goto(f"{app_url}/lessons/{plan.slug}/evolution/")
        assert page.locator(".evolution-stage svg[role='img']").count() == len(plan.stages)
        overflowing = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflowing, "the evolution page scrolls sideways"
    page.screenshot(path=str(screenshots / f"lesson-{language}-evolution.png"))
    page.set_viewport_size({"width": 375, "height": 812})  # a phone: one column, no wider (#14.1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def focused(page) -> str:
    """The focused element as ``tag#id`` (or ``tag[name=value]`` when it has no id)."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : `[${e.name}=${e.value}]`); }"
    )


def tab_to(page, target: str, *, back: bool = False, limit: int = 120) -> list[str]:
    """Press Tab (Shift+Tab with ``back``) until ``target`` (a ``focused`` string) has
    focus; the elements passed on the way, in order."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        passed.append(focused(page))
        if passed[-1] == target:
            return passed
    raise AssertionError(f"{target} never took focus; the Tab order was {passed}")


def test_the_stage_flow_works_from_the_keyboard(page, app_url, language):
    """Predict, change, hint, run, next: with keys only, in the page's Tab order."""
    plan = plans()[0]
    first, second = plan.stages[0], plan.stages[1]
    page.add_init_script(COUNT_MESSAGES)
    page.goto(f"{app_url}/lessons/{plan.slug}/{first.slug}/")
    connected(page)
    assert page.locator("#verdict").get_attribute("aria-live") == "polite"
    assert page.locator("#verdict").get_attribute("role") == "status"

    if first.predict.estimate is not None:  # a number to type
        tab_to(page, "input#predict-estimate")
        page.keyboard.type(str(first.predict.estimate.answer))
    else:
        tab_to(page, "input[choice=0]")
        for _ in range(first.predict.answer):
            page.keyboard.press("ArrowDown")  # moves through the radio group, checking each
        assert focused(page) == f"input[choice={first.predict.answer}]"
    assert tab_to(page, "button#predict-submit") == ["button#predict-submit"]
    page.keyboard.press("Enter")
    page.locator("#run").wait_for()
    assert focused(page) == "h2#lesson-heading"  # not thrown back to the top of the page
    assert tab_to(page, "button#run") == ["button#run"]
    on_the_way = tab_to(page, "button#speed-5")
    assert "button#hint" in on_the_way and on_the_way.index("button#hint") < len(on_the_way) - 1
    page.keyboard.press("Enter")
    tab_to(page, "button#hint", back=True)
    page.keyboard.press("Enter")
    page.locator("#lesson .lesson-hints li").first.wait_for()
    assert focused(page) == "button#hint"  # kept through the panel's redraw

    for step in first.solution:  # the first stage's solution is a traffic change
        assert step["action"] == "set_traffic", step
        tab_to(page, "input#traffic-rps")
        page.keyboard.press("Control+A")
        page.keyboard.type(str(step["rps"]))
        page.keyboard.press("Enter")
    tab_to(page, "button#run", back=True)
    page.keyboard.press("Enter")
    page.locator("#lesson .lesson-verdict").wait_for(timeout=(first.duration_s / 5 * 4 + 30) * 1000)
    assert WORDS[language]["met"] in page.locator("#verdict").inner_text()
    assert focused(page) == "button#run"
    assert tab_to(page, "a#next-stage", back=True) == ["a#next-stage"]  # just before Run again
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/lessons/{plan.slug}/{second.slug}/")
    if second.predict.estimate is None:  # each radio centred on its label's first line (#14)
        offsets = page.evaluate(RADIO_OFFSETS)
        assert offsets and all(abs(offset) <= 2 for offset in offsets), offsets


# How far each of the predict form's radios sits from its label's first line of text, centre
# to centre, in px (the radios sat 10.5 px above it, in the 2rem box a text field gets).
RADIO_OFFSETS = """() => [...document.querySelectorAll("#predict-form input[type=radio]")].map((i) => {
  const r = i.getBoundingClientRect(), words = document.createRange();
  words.selectNodeContents(i.closest("label"));
  const line = [...words.getClientRects()].find((t) => t.width > 2 && t.left >= r.right - 1);
  return r.top + r.height / 2 - (line.top + line.height / 2); })"""


def test_sign_up_and_log_out(page, app_url, language):
    page.goto(f"{app_url}/lessons/")
    page.locator("#signup-link").click()
    name = f"learner-{language}-{uuid.uuid4().hex[:8]}"
    page.get_by_label(re.compile("^(Username|사용자 이름)")).fill(name)
    page.locator("#id_password1").fill("a-long-pass-phrase-9")
    page.locator("#id_password2").fill("a-long-pass-phrase-9")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    page.locator(".account-nav", has_text=name).wait_for()  # signed in, on the next page
    assert name in page.locator(".account-nav").inner_text()
    page.locator("#logout").click()
    page.locator("#login-link").wait_for()  # the page after logging out (count() would not wait)
    assert page.locator("#login-link").count() == 1
