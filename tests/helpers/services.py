"""Throwaway PostgreSQL and Redis for the tests: a pytest plugin (``-p helpers.services``).

Each server is started the first time a test asks for it, once per pytest session, from
Debian's packages (``make test`` installs ``postgresql`` and ``redis-server`` when
missing): its own data folder under the system's temporary folder, its own free port
on 127.0.0.1, nothing written to disk that matters (fsync off, no Redis snapshots).
At the end of the session it is stopped and its folder removed, so nothing is left
running and the checkout is untouched.

- ``postgres_url`` (session fixture): ``postgres://postgres@127.0.0.1:<port>/architect``,
  a fresh cluster with an empty ``architect`` database (for tests that start processes
  of their own, e.g. several daphnes sharing one database).
- ``redis_url`` (session fixture): ``redis://127.0.0.1:<port>/0``.
- ``--postgres``: Django's ``default`` database is PostgreSQL (``postgres_url``) for this
  run instead of SQLite; ``make test`` runs the database tests (``-m django_db``) so.

A missing server program fails in CI and is skipped, with its reason, elsewhere
(``helpers.ci``). PostgreSQL refuses to run as root: as root the cluster runs as the
``postgres`` user the Debian package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.ci import missing

START_TIMEOUT_S = 60.0  # a server not up by then is broken; waiting ends as soon as it is up
DATABASE = "architect"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the database tests on a throwaway PostgreSQL instead of SQLite",
    )


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _newest(paths: list[Path]) -> Path | None:
    """The path under the highest version folder (/usr/lib/postgresql/<version>/bin/...)."""
    numbered = [p for p in paths if p.parts[-3].isdigit()]
    return max(numbered, key=lambda p: int(p.parts[-3]), default=None)


def postgres_programs() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's newest, else the PATH's."""
    initdb = _newest(list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))
    if initdb is None and (found := shutil.which("initdb")):
        initdb = Path(found)
    return initdb.parent if initdb is not None else None


class PostgreSQL:
    """One throwaway cluster: ``start`` gives its URL, ``stop`` removes every trace."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.folder = Path(tempfile.mkdtemp(prefix="architect-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"
        self.user = self._unprivileged_user()
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)

    @staticmethod
    def _unprivileged_user() -> pwd.struct_passwd | None:
        """PostgreSQL will not run as root: then run it as ``postgres`` (else ``nobody``)."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                return pwd.getpwnam(name)
        raise RuntimeError("running as root, and there is no postgres or nobody user")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.programs / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user.pw_name, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr or result.stdout}\n{tail}")

    def start(self) -> str:
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", "--auth=trust"),
            *("--encoding=UTF8", "--locale=C", "--no-sync"),
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            *("-D", str(self.data), "-l", str(self.folder / "server.log")),
            *("-w", "-t", str(int(START_TIMEOUT_S)), "-o", options, "start"),
        )
        self._create_database()
        return self.url

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    """One throwaway redis-server without persistence."""

    def __init__(self, program: str) -> None:
        self.program = program
        self.folder = Path(tempfile.mkdtemp(prefix="architect-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        with (self.folder / "server.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    self.program,
                    *("--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)  # polling for start-up only; no test measures it
        return self.url

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL, started once per session: the URL of its empty database."""
    programs = postgres_programs()
    if programs is None:
        missing("PostgreSQL is missing: `make test` installs Debian's postgresql package")
    server = PostgreSQL(programs)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway Redis, started once per session: its URL."""
    program = shutil.which("redis-server")
    if program is None:
        missing("redis-server is missing: `make test` installs Debian's redis-server package")
    server = Redis(program)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def _database_from_option(request: pytest.FixtureRequest) -> None:
    """With ``--postgres``, point Django's default database at ``postgres_url`` before
    pytest-django creates the test database (autouse session fixtures run first)."""
    if not request.config.getoption("postgres"):
        return
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    url = request.getfixturevalue("postgres_url")
    default = settings.DATABASES["default"]
    default["OPTIONS"] = {}  # SQLite's (transaction_mode, timeout) mean nothing to psycopg
    default.update(dj_database_url.parse(url, conn_max_age=0))
    with contextlib.suppress(AttributeError):
        del connections["default"]  # a connection made before now still speaks SQLite
    assert connections["default"].vendor == "postgresql"
