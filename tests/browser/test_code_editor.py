"""The vendored code editor (static/vendor/codemirror/editor.min.js) on a static page.

A local http.server serves a page with a strict Content-Security-Policy (no
'unsafe-inline', no 'unsafe-eval', no data: images) whose only scripts are files.
The page hands CodeMirror the style nonce through <meta name="csp-nonce">, as the
authoring pages will (docs/vendored.md).
"""

from __future__ import annotations

import json
import secrets
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "vendor" / "codemirror" / "editor.min.js"
PALETTE = ROOT / "tools" / "vendor" / "codemirror" / "src" / "palette.json"
NONCE = secrets.token_urlsafe(16)
CSP = (
    "default-src 'none'; script-src 'self'; "
    f"style-src 'self' 'nonce-{NONCE}'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Editor check</title>
{meta}
<link rel="stylesheet" href="/page.css">
<script src="/csp-watch.js"></script>
<script src="/editor.min.js" defer></script>
<script src="/page.js" defer></script>
</head><body>
<form action="/submitted" method="get">
  <input id="before" name="title" value="Plan">
  <label for="plan">Lesson plan (YAML)</label>
  <textarea id="plan" name="plan" rows="10">title: Draft
</textarea>
  <button id="after">Save</button>
</form>
</body></html>
"""
FILES = {
    "csp-watch.js": (
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " window.cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI));"
    ),
    "page.js": (
        "window.changes = 0;"
        "window.planEditor = ArchitectEditor.attach(document.getElementById('plan'),"
        " {onChange() { window.changes += 1; }});"
    ),
    # The page may be light or dark: the editor follows the OS setting.
    "page.css": ":root { color-scheme: light dark; } body { margin: 1rem; }",
    "favicon.ico": "",
    "index.html": PAGE.format(meta=f'<meta name="csp-nonce" nonce="{NONCE}">'),
    "no-nonce.html": PAGE.format(meta=""),
}
TYPED = "id: 1\nby: me\nsummary: oops"


class StrictHandler(SimpleHTTPRequestHandler):
    """Static files under a strict CSP, quietly."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def do_GET(self) -> None:
        if self.path.startswith("/submitted"):  # where the form goes: an empty page
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("editor-site")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copy(BUNDLE, folder / BUNDLE.name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(StrictHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def tab(browser) -> Iterator[Any]:
    """One page for the module (a new browser context per test costs a second)."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.set_default_timeout(5_000)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def load(tab, url: str) -> Any:
    tab.emulate_media(color_scheme="light")
    tab.errors.clear()
    tab.goto(url)
    tab.wait_for_selector(".cm-editor")
    return tab


@pytest.fixture
def editor(tab, site) -> Iterator[Any]:
    """The page with the nonce, freshly loaded; no CSP violation, no error by the end."""
    page = load(tab, f"{site}/index.html")
    yield page
    assert page.evaluate("window.cspViolations ?? []") == []  # [] once the form has left
    # CSP refusals are also logged as errors; the list above has them, precisely.
    assert [e for e in page.errors if "Content Security Policy" not in e] == []


def textarea_value(page) -> str:
    return str(page.eval_on_selector("#plan", "t => t.value"))


def focused(page) -> str:
    """The id of the focused element, or "editor" for CodeMirror's editable element."""
    return str(
        page.evaluate(
            "(e => e.classList.contains('cm-content') ? 'editor' : e.id)(document.activeElement)"
        )
    )


def line_of_cursor(page) -> int:
    return int(
        page.evaluate(
            "(v => v.state.doc.lineAt(v.state.selection.main.head).number)(planEditor.view)"
        )
    )


def type_plan(page) -> None:
    """Replace the plan by typing (deleting first: see the test on typing over a selection)."""
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    page.keyboard.type(TYPED)


def test_styles_apply_under_a_strict_csp_given_the_nonce(editor):
    """No violation (checked by the fixture), the editor styled, the textarea hidden."""
    assert editor.eval_on_selector(".cm-editor", "e => getComputedStyle(e).display") == "flex"
    assert editor.locator("#plan").is_hidden()
    assert editor.locator(".cm-line").first.inner_text() == "title: Draft"
    assert editor.evaluate("planEditor.getValue()") == "title: Draft\n"
    name = editor.get_attribute(".cm-content", "aria-label")
    assert name == "Lesson plan (YAML)"


def test_without_the_nonce_the_styles_are_refused(tab, site):
    """The control: CodeMirror's <style> element needs the nonce (or 'unsafe-inline')."""
    page = load(tab, f"{site}/no-nonce.html")
    violations = page.evaluate("window.cspViolations")
    assert violations and all(v.startswith("style-src-elem inline") for v in violations)
    assert page.eval_on_selector(".cm-editor", "e => getComputedStyle(e).display") != "flex"


def test_the_textarea_follows_edits_and_the_form_submits_them(editor):
    type_plan(editor)
    assert textarea_value(editor) == TYPED
    assert editor.evaluate("planEditor.getValue()") == TYPED
    assert editor.evaluate("window.changes") >= len(TYPED)
    editor.evaluate("document.querySelector('form').reset()")
    editor.wait_for_function("() => planEditor.getValue() === 'title: Draft\\n'")
    assert textarea_value(editor) == "title: Draft\n"
    editor.evaluate("planEditor.setValue('title: Replaced\\n')")
    assert textarea_value(editor) == "title: Replaced\n"
    assert editor.evaluate("window.cspViolations") == []
    editor.click("#after")
    editor.wait_for_url("**/submitted?*")
    query = parse_qs(urlparse(editor.url).query)
    # Browsers submit a textarea's line breaks as CRLF (HTML spec): the server normalises.
    assert query["plan"] == ["title: Replaced\r\n"]


def test_typing_over_highlighted_text_only_costs_a_refused_style_attribute(editor):
    """Chromium's contenteditable code may copy the replaced text's colour into a style
    attribute; the CSP refuses it (style-src-attr, reported) and CodeMirror redraws the line
    from its own state, so text and colours are right. No other report is allowed."""
    editor.click(".cm-content")
    editor.keyboard.press("Control+a")
    editor.keyboard.type("key: value")
    assert textarea_value(editor) == "key: value"
    palette = json.loads(PALETTE.read_text(encoding="utf-8"))
    key = editor.locator(".cm-line span", has_text="key").first
    assert key.evaluate("e => getComputedStyle(e).color") == rgb(palette["light"]["tokens"]["key"])
    violations = editor.evaluate("window.cspViolations.splice(0)")
    assert set(violations) <= {"style-src-attr inline"}, violations


def test_a_problem_is_shown_at_its_line(editor):
    type_plan(editor)
    problem = {"line": 3, "column": 10, "severity": "error", "message": "summary: not a list"}
    editor.evaluate(f"planEditor.setDiagnostics([{json.dumps(problem)}])")

    marker = editor.locator(".cm-lint-marker-error")
    assert marker.count() == 1
    number = editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="3").first
    row, dot = number.bounding_box(), marker.bounding_box()
    assert row and dot
    assert row["y"] <= dot["y"] + dot["height"] / 2 <= row["y"] + row["height"]
    assert editor.locator(".cm-lintRange-error").inner_text() == "oops"

    marker.hover()
    assert "summary: not a list" in editor.locator(".cm-tooltip-lint").inner_text()

    # Keyboard: F8 goes to the problem, Ctrl-Shift-M opens the list, Escape closes it.
    editor.click(".cm-line >> nth=0")
    editor.keyboard.press("F8")
    assert line_of_cursor(editor) == 3
    editor.keyboard.press("Control+Shift+M")
    panel = editor.locator(".cm-panel-lint")
    assert "summary: not a list" in panel.inner_text()
    assert "cm-panel-lint" in editor.evaluate(
        "document.activeElement.closest('.cm-panel').className"
    )
    editor.keyboard.press("Escape")
    assert panel.count() == 0
    assert focused(editor) == "editor"


def test_tab_indents_and_escape_then_tab_leaves(editor):
    editor.click(".cm-content")
    editor.keyboard.press("Tab")
    assert focused(editor) == "editor"
    assert textarea_value(editor) == "  title: Draft\n"
    editor.keyboard.press("Shift+Tab")
    assert textarea_value(editor) == "title: Draft\n"

    editor.keyboard.press("Escape")
    editor.keyboard.press("Tab")
    assert focused(editor) == "after"

    editor.click("label[for=plan]")
    assert focused(editor) == "editor"
    editor.keyboard.press("Escape")
    editor.keyboard.press("Shift+Tab")
    assert focused(editor) == "before"


def test_go_to_line_in_a_one_mebibyte_plan(editor):
    lines = [f"line_{n:05d}: {'x' * 40}" for n in range(1, 20_001)]
    plan = "\n".join(lines)
    assert len(plan) > 2**20 * 0.9
    editor.evaluate("text => planEditor.setValue(text)", plan)
    same = (
        "text => document.getElementById('plan').value === text && planEditor.getValue() === text"
    )
    assert editor.evaluate(same, plan)
    editor.evaluate("planEditor.goToLine(19999)")
    assert line_of_cursor(editor) == 19_999
    assert editor.locator(".cm-activeLine").inner_text() == lines[19_998]
    # A problem past the end (the plan shrank since the check) lands on the last line.
    editor.evaluate("planEditor.setDiagnostics([{line: 99999, severity: 'warning', message: 'm'}])")
    assert editor.locator(".cm-lint-marker-warning").count() == 1
    editor.evaluate("planEditor.goToLine(1)")
    assert editor.locator(".cm-lint-marker-warning").count() == 0  # line 20000 is not drawn


def test_destroy_gives_the_textarea_back_and_read_only_refuses_typing(editor):
    editor.evaluate("planEditor.destroy()")
    assert editor.locator(".cm-editor").count() == 0
    assert editor.locator("#plan").is_visible()
    editor.evaluate("window.planEditor = ArchitectEditor.attach(plan, {readOnly: true})")
    assert editor.evaluate("ArchitectEditor.attach(plan) === planEditor")  # once per textarea
    editor.click(".cm-content")
    editor.keyboard.type("typed")
    assert textarea_value(editor) == "title: Draft\n"
    assert editor.evaluate("planEditor.getValue()") == "title: Draft\n"


MALFORMED = {
    "'line 3'": "setDiagnostics expects an array",
    "[{line: 0, severity: 'error', message: 'm'}]": "problem 0: line must be an integer >= 1",
    "[{line: 1, severity: 'fatal', message: 'm'}]": "problem 0: severity must be one of",
    "[{line: 1, column: 1.5, severity: 'info', message: 'm'}]": "problem 0: column must be",
    "[{line: 1, severity: 'hint'}]": "problem 0: message must be a string",
}


def test_malformed_problems_are_refused_with_a_reason(editor):
    for problems, reason in MALFORMED.items():
        thrown = editor.evaluate(
            f"() => {{ try {{ planEditor.setDiagnostics({problems}); }}"
            " catch (e) { return e.message; } }"
        )
        assert thrown is not None and reason in thrown, (problems, thrown)


def test_the_palette_follows_the_os_when_the_page_allows_it(editor):
    """page.css declares `color-scheme: light dark`: the editor switches live."""
    palette = json.loads(PALETTE.read_text(encoding="utf-8"))
    background = "c => getComputedStyle(document.querySelector('.cm-editor')).backgroundColor === c"
    assert editor.evaluate(background, rgb(palette["light"]["background"]))
    for scheme in ("dark", "light"):
        editor.emulate_media(color_scheme=scheme)
        editor.wait_for_function(background, arg=rgb(palette[scheme]["background"]))


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"
