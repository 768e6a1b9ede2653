# Two commands a newcomer needs: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := node_modules/.installed
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/commonweal
PORT ?= 8000

.PHONY: install demo test lint chromium

install: $(INSTALLED) $(ASSETS)

$(BIN)/python:
	python3 -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $@

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	DEBUG=true $(BIN)/commonweal demo --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks

chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "Browser tests need Debian's Chromium: run 'sudo apt-get install -y chromium'." >&2; exit 1; fi

# The whole suite on SQLite, then every test that touches storage again on PostgreSQL.
test: install chromium lint
	$(BIN)/pytest
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -m "storage and not e2e"
