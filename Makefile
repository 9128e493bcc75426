# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install the app, open it on the embedded database
#   make test   create .venv, install the app with its test extra, run the whole suite headless
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test test-pg lint bench screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.app
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.app
	$(BIN)/python -m ui.display_check --install
	$(BIN)/pathway-planner

test: $(VENV)/.test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# the whole suite with a throwaway PostgreSQL server (scripts/pg-temp.sh), as CI runs it: the database
# and command-line tests then run on both engines
test-pg: $(VENV)/.test
	@pg_exports=$$(scripts/pg-temp.sh start) && eval "$$pg_exports" && \
	trap 'scripts/pg-temp.sh stop "$$PG_TEMP_DIR"' EXIT && \
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.test
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

screenshot: $(VENV)/.app
	$(BIN)/pathway-planner screenshot --out docs/screenshot.png --tab pathway-map --force

clean:
	rm -rf $(VENV) build *.egg-info
