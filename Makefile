# Newsroom: `make run` to try it, `make test` to test it. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run install test-tools test lint format demo worker beat bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

## install: create .venv and install the pinned requirements (idempotent)
install: $(STAMP)

## run: migrate, load and enrich the demo feeds offline, create a demo editor, serve :8000
## with beat beside it (another port: make run PORT=8001)
PORT ?= 8000
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py load_demo
	@echo
	@echo "  Newsroom is starting at http://127.0.0.1:$(PORT)"
	@echo "  Demo editor login: editor / newsroom-demo"
	@echo "    review queue  http://127.0.0.1:$(PORT)/editorial/queue/"
	@echo "    dashboard     http://127.0.0.1:$(PORT)/editorial/"
	@echo "    admin         http://127.0.0.1:$(PORT)/admin/"
	@echo "    partner API   http://127.0.0.1:$(PORT)/api/docs/ (a key: README, Partner API)"
	@echo "  Celery beat runs beside the server (scheduled stories, sweeps); Ctrl-C stops both."
	@echo
	@# Beat runs the schedule (scheduled stories, sweeps, webhook retries; newsroom/celery.py)
	@# in a process of its own: with no broker each task runs eagerly inside it. It stops
	@# with the server. The demo lets feeds and partners' webhooks on this machine or its
	@# network be used (a feed served from 127.0.0.1 to try it); never on a public server.
	@export DEBUG=1 NEWSROOM_ALLOW_PRIVATE_FEEDS=1 PARTNER_WEBHOOK_ALLOW_PRIVATE=1 \
	  SITE_URL=http://127.0.0.1:$(PORT); \
	  $(VENV)/bin/celery -A newsroom --quiet beat --loglevel=WARNING \
	    --schedule=var/celerybeat-schedule & beat=$$!; \
	  trap 'kill $$beat 2>/dev/null' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The page checkers the tests run (package.json): the Nu HTML checker (vnu-jar, on the
# machine's Java) and axe-core. --ignore-scripts: vnu-jar's postinstall would try to download
# a Java runtime when it finds none; the tests use the machine's java and skip (locally) or
# fail (CI) without it. Without npm, the tests needing these skip locally and fail in CI.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --ignore-scripts && touch $(NODE_STAMP); \
	else \
	  echo "npm is not installed: the HTML checker tests will skip (and fail in CI)"; \
	fi

## test-tools: install the page checkers the tests run (npm ci; idempotent)
test-tools: $(NODE_STAMP)

## test: the whole suite (PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set)
test: install test-tools
	$(PY) -m pytest $(PYTEST_ARGS)

## lint: ruff, then mypy with django-stubs (configured in pyproject.toml)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## worker / beat: the production processes (need REDIS_URL, and SECRET_KEY unless DEBUG=1)
worker: install
	$(VENV)/bin/celery -A newsroom worker --concurrency=2 --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A newsroom beat --loglevel=INFO --schedule=var/celerybeat-schedule

## bench: the ingest benchmark (see benchmarks/README.md)
bench: install
	$(PY) benchmarks/ingest.py

clean:
	rm -rf $(VENV) var/db.sqlite3*
