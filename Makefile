# The two set-up commands of the README: `make dev` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/sirocco: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

.PHONY: install test test-slow dev bench
install: $(BIN)/sirocco

test: install
	$(BIN)/pytest

test-slow: install
	$(BIN)/pytest -m slow

dev: install
	$(BIN)/sirocco dev

bench: install
	$(BIN)/python bench/validate.py
