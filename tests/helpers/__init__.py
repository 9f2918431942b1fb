"""Helpers shared by the tests, imported as ``helpers`` from any test file.

pytest puts ``tests/`` on ``sys.path`` (``pythonpath`` in pyproject.toml), so
``from helpers.clock import FakeClock`` works from every folder. ``tests/`` itself is
not a package, and ``tests/lessons`` must not become one: with pytest's default
``prepend`` import mode a ``tests/lessons/__init__.py`` would make the test folder the
top-level package ``lessons`` and shadow the ``lessons`` app.

- ``clock``: a fake clock for code that takes a ``clock`` (throttles, ``LiveSession``).
- ``websocket``: talking to the consumers through ``WebsocketCommunicator`` with ticks
  driven by the test (the ``ticks`` fixture), never by the wall clock.
- ``snapshots``, ``plans``: hand-made snapshots and lesson plans.
- ``queueing``: textbook queueing formulas, written independently of ``architect.sim``.
- ``measure``: long-run measures of a simulation after a warm-up.
- ``services``: throwaway PostgreSQL and Redis servers, once per session, and ``--postgres``
  (a pytest plugin, loaded with ``-p`` in pyproject.toml like ``websocket``).
- ``markdown``: the largest lesson text of one repeated unit the Markdown limits accept
  (also used by ``bench/lesson_markdown.py``).
- ``ci``: a missing system dependency fails in CI and is skipped, with its reason, elsewhere.
"""
