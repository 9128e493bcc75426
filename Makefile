# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install the app, open it on the embedded database
#   make test   create .venv, install the app with its test extra, run the whole suite headless
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench screenshot clean

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
	$(BIN)/pathway-planner

test: $(VENV)/.test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.test
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

screenshot: $(VENV)/.app
	$(BIN)/pathway-planner screenshot --out docs/screenshot.png --tab pathway-map

clean:
	rm -rf $(VENV) build *.egg-info
