# Two commands for a fresh machine (Python 3.11+, Node and npm):
#   make run   install, build GOV.UK Frontend, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test  install everything, then lint and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
EXTRAS ?= dev
HOST ?= 127.0.0.1:8000

.PHONY: run test install static lint format check-chromium bench bench-national clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/ndx.css: $(NODE_STAMP) static/src/ndx.scss scripts/build-static.mjs
	npm run --silent build

static: static/build/ndx.css

install: $(PY_STAMP) static

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(PY_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-chromium:
	@bash scripts/ensure-chromium.sh

test: install lint check-chromium
	NDX_TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/run_all.py

# 1,000,000 synthetic offers: search and matching at national scale (tens of minutes).
bench-national: install
	$(BIN)/python benchmarks/run_all.py --only search,scale --national

clean:
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
