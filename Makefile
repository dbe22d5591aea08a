# Roles — set-up, run and test. `make run` serves the app; `make test` lints and runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Python keeps what it compiles, here as elsewhere: where the environment says not to (as many
# Docker images do), every process compiled Django again, a second of CPU for each of the test
# suite's workers, servers and subprocesses; and pip's --no-compile below relies on it.
unexport PYTHONDONTWRITEBYTECODE

# The first Python >= 3.12 among these names.
PYTHON := $(shell for p in python3.14 python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)

.PHONY: run serve bench test screenshots lint format install install-dev clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Roles needs Python 3.12 or newer; none of python3.14, python3.13, python3.12, python3 is." >&2; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)

# The lock and the re-check let several `make serve` start at once without racing pip.
# --no-compile: Python compiles a module when it is first imported; compiling every installed
# file up front took 7 of the 15 s `pip install -e .[dev]` takes here.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	flock $(VENV)/.install.lock sh -c '[ $@ -nt pyproject.toml ] || \
		{ $(BIN)/python -m pip install --quiet --no-compile -e . && touch $@; }'

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	flock $(VENV)/.install.lock sh -c '[ $@ -nt pyproject.toml ] || \
		{ $(BIN)/python -m pip install --quiet --no-compile -e ".[dev]" && touch $@ $(VENV)/.installed; }'

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_catalog
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-like: DEBUG off, nginx on 127.0.0.1:$(PORT) in front of gunicorn (WEB_CONCURRENCY
# workers) on a unix socket; SERVE_PROXY=none for gunicorn alone. Several may run at once.
serve: install
	PORT=$(PORT) $(BIN)/python -m roles_site.serve

# Load-tests `make serve`'s server, through nginx and at gunicorn, against static files of the
# same size; prints one table and the verdicts in under 5 minutes (needs wrk; docs/bench.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every page at 1280 and 375 px, light and dark, into test-artifacts/screenshots/ to look at.
screenshots: install-dev
	$(BIN)/python -m pytest -m screenshots $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
