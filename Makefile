# OneWindow — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export ONEWINDOW_DATA_DIR ?= $(CURDIR)/var
DJANGO := $(BIN)/onewindow
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := chromium fonts-noto-cjk libharfbuzz-subset0

.PHONY: run port-check serve install install-dev system-deps test check lint format types imports migrations-check e2e worker demo bench clean lock audit-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Pinned in two sets: requirements.lock = what the server needs (installed by `make run`),
# requirements-dev.lock = test and development tools on top (added by `make test` / `make check`).
# `make lock` rewrites both from a deliberate upgrade.
# The project itself is installed editable (`.venv/bin/onewindow` runs this checkout's code and finds its
# var/). setuptools prints a boxed warning while building it (folders named like the package in the
# working directory could shadow it: here that folder IS the package); PYTHONWARNINGS=ignore keeps the
# box out of the first hour. (editable_mode=compat has no such box but prints its own: it is deprecated.)
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	@echo "==> [2/5] Installing the runtime dependencies (requirements.lock) into $(VENV) (first time: a minute or two) ..."
	@$(BIN)/pip install --progress-bar on --disable-pip-version-check -r requirements.lock
	@PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock $(VENV)/.installed
	@echo "Installing the test and development tools (requirements-dev.lock) ..."
	$(BIN)/pip install --progress-bar on --disable-pip-version-check -r requirements.lock -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: check the port, install, migrate, load the demo county, then serve on http://$(HOST):$(PORT)
## with gunicorn and the background worker beside it (Ctrl-C stops both). Another port: PORT=8001 make run
run: port-check install
	@echo "==> [3/5] Migrating the database in $(ONEWINDOW_DATA_DIR) (the first time: under a minute) ..."
	@$(BIN)/onewindow migrate --noinput
	@echo "==> [4/5] Loading the demo county (idempotent: adds only what is missing) and collecting static files ..."
	@ONEWINDOW_DEMO=$${ONEWINDOW_DEMO:-1} $(BIN)/onewindow demo
	@$(BIN)/onewindow collectstatic --noinput --verbosity 0
	@echo "==> [5/5] Starting the server and the background worker; open http://$(HOST):$(PORT)/ when it says 'Listening at'"
	@ONEWINDOW_DEMO=$${ONEWINDOW_DEMO:-1} $(BIN)/onewindow serve --host $(HOST) --port $(PORT)

## Before anything slow: is the port free? (system Python, standard library only; says how to choose another)
port-check:
	@echo "==> [1/5] Checking that $(HOST):$(PORT) is free ..."
	@$(PYTHON) -m onewindow.operations.ports $(HOST) $(PORT)

## The web server alone (production-like: the worker runs separately, `make worker`)
serve: install
	$(BIN)/onewindow serve --host $(HOST) --port $(PORT) --no-worker

worker: install
	$(BIN)/onewindow worker

demo: install
	$(BIN)/onewindow migrate --noinput
	$(BIN)/onewindow demo

## System packages the PDF and browser tests need (Debian): installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

lint: install-dev
	$(BIN)/ruff check onewindow tests bench
	$(BIN)/ruff format --check onewindow tests bench

format: install-dev
	$(BIN)/ruff format onewindow tests bench
	$(BIN)/ruff check --fix onewindow tests bench

types: install-dev
	$(BIN)/mypy onewindow

migrations-check: install-dev
	$(DJANGO) makemigrations --check --dry-run

## The house rules (docs/ARCHITECTURE.md): the import-linter contract in pyproject.toml
imports: install-dev
	$(BIN)/lint-imports --no-cache

check: lint types imports migrations-check

## make test: everything CI runs — lint, types, migrations check, the whole suite (unit, HTTP, browser)
## The suite runs in parallel over the machine's cores (pytest-xdist; TEST_WORKERS=1 for one process).
## Each worker gets its own data directory (file cache, huey queue, uploads, keys) so workers never see
## each other's counters or tasks; on PostgreSQL pytest-django gives each its own test database.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_DATA_DIR = $(abspath $(ONEWINDOW_DATA_DIR))/test-workers
XDIST_ARGS = $(if $(filter 1,$(TEST_WORKERS)),,--dist load \
  $(foreach i,$(shell seq 0 $$(( $(TEST_WORKERS) - 1 ))),--tx 'popen//id=gw$(i)//env:ONEWINDOW_DATA_DIR=$(TEST_DATA_DIR)/gw$(i)'))
test: install-dev system-deps check
	@echo "Running the suite on $(TEST_WORKERS) worker(s): $(if $(DATABASE_URL),PostgreSQL,SQLite)"
	$(BIN)/pytest $(XDIST_ARGS) --durations=15 $(PYTEST_ARGS)

e2e: install-dev system-deps
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

## make bench: league-scale benchmark (1 M cases, intake at 1/8/32 clients, pgbench) on the PostgreSQL
## server BENCH_PG (default postgres://postgres@127.0.0.1:5432; needs pgbench); writes bench/results/<date>.md.
## At the default 1 M cases it takes longer than 10 min on 2 cores (the COPY load alone ~8-9 min when the
## machine is quiet); BENCH_CASES=100000 runs in ~6 min. BENCH_CASES / BENCH_SECONDS make it smaller;
## BENCH_READS_ONLY=1 measures only the reads at 10 k and at N (<date>-reads.md); BENCH_BASELINE=<git rev> also serves
## that revision and measures its intake in the same run; statements per intake: bench/intake_statements.py.
bench: install-dev
	@command -v pgbench >/dev/null || { echo "pgbench missing: apt-get install postgresql-client"; exit 1; }
	$(BIN)/python bench/run.py

lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet --upgrade pip && $(VENV)-lock/bin/pip install --quiet .
	( echo "# Runtime dependencies, pinned (what \`make run\` installs). \`make lock\` rewrites it."; \
	  $(VENV)-lock/bin/pip freeze --exclude-editable | grep -v '^onewindow' ) > requirements.lock
	( echo "# Test and development tools, pinned (added by \`make test\`/\`make check\`), on top of requirements.lock."; \
	  $(BIN)/pip freeze --exclude-editable | grep -v '^onewindow' | grep -vixF -f requirements.lock ) > requirements-dev.lock
	rm -rf $(VENV)-lock

## Known-vulnerability check of the pinned dependencies (needs PyPI's JSON API; --strict fails when a
## package could not be checked rather than passing silently).
audit-deps: install-dev
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements.lock -r requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
