"""A real daphne on 127.0.0.1 and Debian's headless Chromium, driven by Playwright.

These tests run in their own pytest process (see the Makefile): Playwright's sync
API leaves an event loop behind that would break later asyncio tests.

Screenshots go to ``test-results/screenshots/`` (ignored by git); ``make screenshots``
sets ``SCREENSHOT_DIR=docs/screenshots`` and runs the tests marked ``screenshots`` to
refresh the images the README and the docs show.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.ci import missing

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"daphne did not listen on {port} within {timeout} s")


FIXTURE_PLAN = ROOT / "tests" / "lessons" / "fixtures" / "tiny.yaml"


class AppServer:
    """daphne on a fixed port over one SQLite file; ``restart`` keeps both."""

    def __init__(self, database: Path, log: Path, **settings: str) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_DEBUG": "1",
            **settings,
        }
        self.env.pop("REDIS_URL", None)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        """Run ``manage.py`` on the server's database; what it printed (its errors, when
        it fails)."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True
        )
        if done.returncode:
            errors = done.stderr.decode(errors="replace")[-4000:]
            raise RuntimeError(f"manage.py {args[0]} exited with {done.returncode}:\n{errors}")
        return done.stdout.decode()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "architect.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, self.process)

    def stop(self) -> None:
        """Stop daphne: asked to, then killed if it has not gone in 10 s (a loaded machine);
        either way the port is free for ``start``."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def plan_files() -> list[Path]:
    """The shipped plans (loaded on first migrate), else the small test plan."""
    shipped = sorted((ROOT / "lessons" / "plans").glob("*.yaml"))
    return shipped or [FIXTURE_PLAN]


@pytest.fixture(scope="session")
def lessons_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database holding the lesson plans, made once per test process:
    every server starts from a copy of it."""
    folder = tmp_path_factory.mktemp("template")
    maker = AppServer(folder / "lessons.sqlite3", folder / "manage.log")  # never started
    # One process for both (each Django start-up costs seconds of CPU); ``load_lessons``
    # fails loudly on a plan with problems, where ``migrate`` only warns.
    plans = [str(path) for path in plan_files()]
    try:
        maker.manage(
            "shell",
            "-c",
            "from django.core.management import call_command;"
            " call_command('migrate', '--noinput', verbosity=0);"
            f" call_command('load_lessons', *{plans!r})",
        )
    finally:
        maker.log.close()
    return folder / "lessons.sqlite3"


def serve(
    lessons_database: Path, tmp_path_factory: pytest.TempPathFactory, **settings: str
) -> Iterator[AppServer]:
    """The app under daphne with a fresh SQLite database holding the lesson plans (a copy
    of ``lessons_database``); ``settings``: environment variables read by
    architect/settings.py."""
    database = tmp_path_factory.mktemp("db") / "browser.sqlite3"
    shutil.copyfile(lessons_database, database)
    server = AppServer(database, tmp_path_factory.mktemp("log") / "daphne.log", **settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.log.close()


@pytest.fixture(scope="session")
def app_server(
    lessons_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """The app under daphne with a fresh SQLite database holding the lesson plans."""
    yield from serve(lessons_database, tmp_path_factory)


# Simulated time on ``fast_server``: this many times the speed chosen. At 5× a tick of
# 0.2 s closes 20 simulated seconds; a step over the connection's CPU budget is held to it
# (architect/sandbox/live.py), so a heavy stage simply runs as fast as the CPU allows.
# Measured (stages 8 and 13 walked in English, load ~10): 4 → 20 took the two tests from
# 295 to 201 s and their servers' and Chromium's CPU from 237 to 179 s.
FAST_TIME_SCALE = "20"


@pytest.fixture(scope="session")
def fast_server(
    lessons_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """The app with simulated time running ``FAST_TIME_SCALE`` times faster than the
    speed chosen (``SANDBOX_TIME_SCALE``): the judge reads closed simulated seconds, so a
    run is judged as at 1×, in a fraction of the wall time (for the walks through every
    stage, and the goal result)."""
    yield from serve(lessons_database, tmp_path_factory, SANDBOX_TIME_SCALE=FAST_TIME_SCALE)


@pytest.fixture(scope="session")
def app_url(app_server: AppServer) -> str:
    """The base URL of the app under test."""
    return app_server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        missing(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go: test-results/screenshots, or $SCREENSHOT_DIR."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "test-results" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


LANGUAGES = ("en", "ko")


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# Reports every Content-Security-Policy violation of every document in the context.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 120) : "";
  window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ${event.sample} ` +
    `${where} (${event.sourceFile || location.href}:${event.lineNumber})`
  );
});
"""


def watch_csp(context: Any) -> list[str]:
    """Collect the context's CSP violations: ``securitypolicyviolation`` events and the
    console's "Content Security Policy" errors (the server's CSP is on in every test)."""
    violations: list[str] = []
    context.expose_binding(
        "__cspViolation", lambda source, text: violations.append(f"{source['page'].url}: {text}")
    )
    context.add_init_script(_CSP_LISTENER)
    context.on(
        "console",
        lambda message: (
            violations.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


@pytest.fixture
def csp_watch() -> Callable[[Any], list[str]]:
    """``watch_csp`` for a test that opens its own browser context."""
    return watch_csp


@pytest.fixture
def page(browser: object, language: str) -> Iterator[object]:
    """A fresh browser context whose preferred language is ``language``; the test fails if
    any page it opened broke the Content-Security-Policy."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="ko-KR" if language == "ko" else "en-US",
        viewport={"width": 1400, "height": 1000},
    )
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))
