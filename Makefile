# Architect: one-command set-up. `make run` serves the app; `make test` runs every test.
# Works on a fresh Debian/Ubuntu machine: missing system packages are installed with apt-get.

SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# daphne drops a WebSocket frame or message above this size after reading its header
# (architect/settings.py: WEBSOCKET_MAX_FRAME_BYTES; docs/deployment.md).
WEBSOCKET_MAX_FRAME_BYTES ?= 65536
WS_LIMITS = --websocket-max-frame-size $(WEBSOCKET_MAX_FRAME_BYTES) \
	--websocket-max-message-size $(WEBSOCKET_MAX_FRAME_BYTES)
# Where `make screenshots` writes: the images the README and docs/ show.
SCREENSHOTS_TO ?= $(CURDIR)/docs/screenshots

# sudo only when not already root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# $(call apt_install,PACKAGES): one apt-get update, then a minimal install.
apt_install = $(SUDO) apt-get update && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1)

# Only for `make check`: a throwaway, production-shaped secret (never used to serve).
CHECK_SECRET_KEY = $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')

.PHONY: run test test-passes test-browser lint check bench messages clean venv-deps test-deps screenshots

# --- virtual environment ---------------------------------------------------------

# Debian/Ubuntu ship `venv` without ensurepip unless python3-venv is installed.
venv-deps:
	@if [ ! -x $(PY) ] && ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
		echo "Installing python3-venv"; \
		$(call apt_install,python3-venv); \
	fi

$(PY): | venv-deps
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

# Re-install only when the lock file changed. No check for a newer pip (a network round trip).
PIP_OPTS = --disable-pip-version-check --progress-bar off
$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PY) -m pip install $(PIP_OPTS) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PY)
	@$(call timed,pip install,$(PY) -m pip install $(PIP_OPTS) -r requirements-dev.txt)
	touch $@

# --- targets ---------------------------------------------------------------------

run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	@# The background worker (django-tasks' db_worker: the authoring page's checks) runs
	@# beside daphne and stops with it (docs/authoring.md).
	$(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(VENV)/bin/daphne -b $(HOST) -p $(PORT) $(WS_LIMITS) architect.asgi:application

# Chromium and a Korean font for the browser tests, PostgreSQL and Redis for the tests that
# need real ones (tests/helpers/services.py starts throwaway servers from these packages),
# plus python3-venv when needed: one apt-get update, then one install, only for what is missing.
test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v fc-list >/dev/null 2>&1 || missing="$$missing fontconfig"; \
	fc-list 2>/dev/null | grep -qi nanum || missing="$$missing fonts-nanum"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ ! -x $(PY) ] && ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
		missing="$$missing python3-venv"; \
	fi; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(call apt_install,$$missing); \
	fi

# Quality gates, not advice: lint, format, types and the shape of architect/sim (its import
# contracts in pyproject.toml) must be clean (pinned in requirements-dev.txt). Templates are
# linted by djlint, not reformatted (see [tool.djlint] in pyproject.toml).
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint

# $(call timed,NAME,COMMAND): run COMMAND, then say how long it took (CI's budget is the
# sum of the phases; `make test` prints one "== NAME: N s" line for each) and fail as it did.
timed = echo '$(2)'; started=$$(date +%s); $(2); status=$$?; \
	echo "== $(1): $$(( $$(date +%s) - started )) s (exit $$status)"; exit $$status

# The browser tests on this many cores (pytest-xdist; 0: one after another in one process).
# 0 by default: on 2 cores, two Chromiums and their servers took 866 s against 736 s in turn.
# Each worker has its own Chromium and its own servers, each on its own SQLite file and port.
BROWSER_WORKERS ?= 0
# worksteal: a core that runs out of tests takes half of what the other still has queued, so
# a few long tests (a stage's walk, a plan's stages) do not leave one core idle at the end.
XDIST = --dist worksteal

# The browser pass waits (on live simulations, its servers, Chromium) for about 40 % of its
# time, one test after another. So the other passes run beside it, at a lower priority
# (`nice -n $(NICE)`: when both want a core, the browser pass's processes get it first and
# its timing is as when alone; the others take the cycles it leaves idle). Their output goes
# to test-results/passes.log, printed when the browser pass is over; every phase still says
# its time and exit status, and `make test` fails if any failed. `make test SERIAL=1` runs
# the phases one after another, as before.
NICE ?= 10
PASSES_LOG := test-results/passes.log

# Every test on SQLite, on both cores (pytest-xdist); the database tests again on a
# throwaway PostgreSQL (-m django_db,
# --postgres: tests/helpers/services.py starts and removes it, as it does Redis for the
# channel-layer test), with the multi-process test (two daphnes on PostgreSQL and Redis,
# tests/multiprocess: once, there); browser tests in their own process: Playwright's
# sync API leaves an event loop behind that breaks later asyncio tests.
test: test-deps $(VENV)/.installed-dev
	@$(call timed,lint,$(MAKE) --no-print-directory lint)
ifdef SERIAL
	@$(MAKE) --no-print-directory test-passes
	@$(MAKE) --no-print-directory test-browser
else
	@mkdir -p $(dir $(PASSES_LOG)); \
	echo "SQLite, then PostgreSQL and multi-process: beside the browser pass (nice $(NICE)), output in $(PASSES_LOG)"; \
	setsid nice -n $(NICE) $(MAKE) --no-print-directory test-passes >$(PASSES_LOG) 2>&1 </dev/null & \
	passes=$$!; trap 'kill -TERM -- -$$passes 2>/dev/null' EXIT; \
	$(MAKE) --no-print-directory test-browser; browser=$$?; \
	wait $$passes; others=$$?; trap - EXIT; \
	echo; echo "---- $(PASSES_LOG) (ran beside the browser pass) ----"; cat $(PASSES_LOG); echo "----"; \
	grep -h '^== ' $(PASSES_LOG); echo "== browser pass: exit $$browser"; \
	if [ $$browser -ne 0 ] || [ $$others -ne 0 ]; then \
		echo "make test FAILED: browser pass exit $$browser, SQLite/PostgreSQL passes exit $$others"; exit 1; \
	fi
endif

# The phases `make test` runs (after lint); each prints "== NAME: N s (exit S)".
test-passes: test-deps $(VENV)/.installed-dev
	@$(call timed,SQLite,$(PY) -m pytest --ignore=tests/browser -m "not multiprocess" -n 2 $(XDIST))
	@$(call timed,PostgreSQL and multi-process,$(PY) -m pytest --ignore=tests/browser --postgres -m "(django_db or multiprocess) and not fuzz")

test-browser: test-deps $(VENV)/.installed-dev
	@$(call timed,browser,$(PY) -m pytest tests/browser -n $(BROWSER_WORKERS) $(XDIST))

# Refresh the screenshots docs/ and the README show (tests/browser, marked `screenshots`);
# `make test` writes its own to test-results/screenshots, which git ignores.
screenshots: test-deps $(VENV)/.installed-dev
	SCREENSHOT_DIR=$(SCREENSHOTS_TO) $(PY) -m pytest tests/browser -m screenshots

check: $(VENV)/.installed-run
	@echo "manage.py check --deploy (DJANGO_DEBUG=0, throwaway secret, host example.com)"
	@DJANGO_DEBUG=0 DJANGO_SECRET_KEY='$(CHECK_SECRET_KEY)' DJANGO_ALLOWED_HOSTS=example.com \
		$(PY) manage.py check --deploy --fail-level WARNING

$(VENV)/.installed-bench: requirements-bench.txt requirements.txt | $(PY)
	$(PY) -m pip install $(PIP_OPTS) -r requirements-bench.txt
	touch $@

bench: $(VENV)/.installed-bench
	$(PY) bench/run.py
	$(PY) bench/render.py

# Developer-only (needs GNU gettext). `--keyword=N_` collects the engine's problem reasons
# (architect/sim/text.py; our makemessages always adds it). The compiled .mo files are committed,
# so neither `make run` nor `make test` needs gettext.
messages: $(VENV)/.installed-run
	$(PY) manage.py makemessages -l ko --no-obsolete --ignore=.venv --ignore=staticfiles --keyword=N_
	$(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache test-results
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
