# The two commands of the Quickstart: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt
# `make run` installs what running needs; `make test` adds the development toolchain. Both install
# through constraints.txt, so an upstream release cannot change what CI runs (`make lock` updates it).
INSTALLED_RUN := $(VENV)/.installed-run
INSTALLED := $(VENV)/.installed-dev
PIP_INSTALL := $(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS)
# The SDK's supported range: its provider tests also run against the oldest releases of openai,
# anthropic and pinecone it supports (constraints-oldest.txt), in a virtualenv of their own.
VENV_OLDEST := .venv-oldest
INSTALLED_OLDEST := $(VENV_OLDEST)/.installed
SDK_PROVIDER_TESTS := sdk/python/tests/integrations

.PHONY: run test test-sdk-oldest test-latest test-pinecone-releases lock lint typecheck pytest fmt migrate bench-ingest bench-ingest-instructions \
	bench-dashboard schema vendor clean docs docs-serve release-check screenshots

$(INSTALLED_RUN): server/pyproject.toml sdk/python/pyproject.toml VERSION $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -e server -e sdk/python
	touch $(INSTALLED_RUN)

$(INSTALLED): $(INSTALLED_RUN)
	$(PIP_INSTALL) -e 'server[dev]' -e 'sdk/python[dev]'
	touch $(INSTALLED)

## Create the virtualenv, install, migrate and serve on http://127.0.0.1:8000 (SQLite under ./data).
run: $(INSTALLED_RUN)
	$(BIN)/llmobserve-server serve

## The whole suite: lint, types, tests (on SQLite and PostgreSQL), the SDK on its oldest libraries.
test: lint typecheck pytest test-sdk-oldest

$(INSTALLED_OLDEST): server/pyproject.toml sdk/python/pyproject.toml VERSION $(CONSTRAINTS) \
		constraints-oldest.txt scripts/sdk-venv.sh
	bash scripts/sdk-venv.sh $(VENV_OLDEST) constraints-oldest.txt
	touch $(INSTALLED_OLDEST)

## The SDK's provider tests against the oldest openai, anthropic and pinecone it supports.
test-sdk-oldest: $(INSTALLED_OLDEST)
	$(VENV_OLDEST)/bin/pytest $(SDK_PROVIDER_TESTS) $(PYTEST_ARGS)

## The SDK's provider tests against the newest openai, anthropic and pinecone (scratch virtualenv;
## not part of `make test`: an upstream release can break it, and saying so is its job).
test-latest:
	bash scripts/test-latest.sh $(PYTEST_ARGS)

## The SDK's pinecone tests against the last release of each supported major (scratch virtualenvs;
## not part of `make test`: pinecone moved its index classes between majors).
test-pinecone-releases:
	bash scripts/test-pinecone-releases.sh $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy server/llmobserve_server sdk/python/llmobserve

## pytest alone: two workers (pyproject.toml); `make pytest PYTEST_ARGS="-n 0"` runs serially.
pytest: $(INSTALLED)
	$(BIN)/pytest $(PYTEST_ARGS)

## Re-take the README's and docs' screenshots (docs/images/*.png) from the browser tests; commit them.
screenshots: $(INSTALLED)
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest server/tests/web/browser --db postgresql -n 0 $(PYTEST_ARGS)

## Re-resolve every dependency afresh and pin the result in constraints.txt (commit it).
lock:
	bash scripts/lock.sh

fmt: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(INSTALLED)
	$(BIN)/llmobserve-server migrate

## Ingestion throughput against PostgreSQL, with raw COPY as the baseline (see bench/RESULTS.md).
bench-ingest: $(INSTALLED)
	$(BIN)/python bench/ingest.py

## Instructions the server executes per ingested event, by valgrind: steady on a busy machine.
bench-ingest-instructions: $(INSTALLED)
	$(BIN)/python bench/ingest_instructions.py

## Dashboard page times with 1,000,000 events on PostgreSQL, /healthz as the baseline (see bench/RESULTS.md).
bench-dashboard: $(INSTALLED)
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) $(VENV_OLDEST)

## Regenerate the wire-format JSON Schema (schema/events.v1.json) from the server's models.
schema: $(INSTALLED)
	$(BIN)/python -m llmobserve_server.ingest.contract > schema/events.v1.json

## Re-fetch the dashboard's vendored front-end files from npm (see server/…/web/static/vendor/VENDORED.md).
vendor:
	bash scripts/vendor-web.sh

## Build the documentation site into site/ (strict: a broken link or reference fails).
docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## Serve the documentation site with live reload on http://127.0.0.1:8001.
docs-serve: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

## Build both packages, twine-check them, install the wheels into a fresh virtualenv (deps from
## PyPI) and smoke-test them: server from the wheel, sign-up, key, an SDK event, its cost.
release-check: $(INSTALLED)
	$(BIN)/python scripts/release_check.py

## Build deploy/Dockerfile with podman and run the image on SQLite and PostgreSQL, checking it from
## outside (as root on Debian 12; minutes; not part of `make test`). Results: deploy/VERIFIED.md.
.PHONY: verify-image
verify-image:
	bash deploy/verify-image.sh

## Run deploy/docker-compose.yml with Docker Compose v2 against podman's Docker API, with a local
## PostgreSQL stand-in for the db image, checking it from outside (as root on Debian 12; minutes;
## not part of `make test`). Results: deploy/VERIFIED.md.
.PHONY: verify-compose
verify-compose:
	bash deploy/verify-compose.sh
