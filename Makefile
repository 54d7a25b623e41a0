# The one entry point for people and CI. Every target installs what it needs itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run test lint format e2e bench profile load migrate demo clean schema

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/madrina run

test: $(STAMP)
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

# Real-browser tests: Debian's Chromium (never a downloaded browser) and axe-core from npm.
e2e: $(STAMP)
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund
	MADRINA_E2E=1 $(BIN)/pytest tests/e2e -m e2e $(PYTEST_ARGS)

# Benchmarks on throw-away data, printing tables (a few minutes on 2 cores).
# `make bench BENCH_ARGS=--quick` is a smoke run of under a minute.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Where one bench page spends its time: `make profile PAGE=project` (cProfile, top 25).
PAGE ?= project
profile: $(STAMP)
	$(BIN)/python -m bench.profile '$(PAGE)' $(PROFILE_ARGS)

# Load on loopback, in the production shape: wrk (Debian's) against two uvicorn workers and
# an arq worker on PostgreSQL and Redis, 5,000 projects, 500 judges (a few minutes).
# It creates and drops the database madrina_load on LOAD_DATABASE_URL's server, and
# uses Redis from REDIS_URL, else a private embedded one. `make load LOAD_ARGS=--duration=5`.
LOAD_DATABASE_URL ?= $(or $(DATABASE_URL),postgresql://postgres@127.0.0.1:5432/postgres)
load: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk)
	$(BIN)/python -m bench.load --database-url '$(LOAD_DATABASE_URL)' $(LOAD_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/madrina migrate

demo: $(STAMP)
	$(BIN)/madrina demo

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Regenerate the initial migration from the models (before the first release only).
schema: $(STAMP)
	rm -f migrations/versions/*.py var/schema.db
	mkdir -p var
	DATABASE_URL=sqlite+aiosqlite:///var/schema.db $(BIN)/alembic upgrade head
	DATABASE_URL=sqlite+aiosqlite:///var/schema.db $(BIN)/alembic revision --autogenerate -m "initial schema"
	rm -f var/schema.db
	$(BIN)/ruff format -q migrations
