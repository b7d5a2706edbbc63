# Patron — the two commands are `make run` and `make test`; the rest are their parts.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Everything run from here serves or tests on this machine only.
export PATRON_LOCAL := 1

.PHONY: run test install lint typecheck check test-sqlite test-postgres test-e2e bench clean

run: install
	PATRON_LOCAL=1 $(BIN)/patron run

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Patron needs $(PYTHON) (Python 3.11 or newer) on PATH."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The whole suite: lint, types, architecture, migrations, then the tests on SQLite and on
# PostgreSQL (started here, on a private socket, and stopped afterwards), browser tests included.
test: install
	bash scripts/ensure-test-services
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

check:
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	PATRON_LOCAL=1 PATRON_DEV_TOOLS=1 PATRON_DATA_DIR=$$(mktemp -d) $(BIN)/patron manage check --fail-level WARNING
	PATRON_LOCAL=1 PATRON_DEV_TOOLS=1 PATRON_DATA_DIR=$$(mktemp -d) $(BIN)/patron manage makemigrations --check --dry-run

test-sqlite:
	PATRON_LOCAL=1 $(BIN)/pytest -p no:cacheprovider

test-postgres:
	PATRON_LOCAL=1 bash scripts/with-postgres $(BIN)/pytest -p no:cacheprovider -m "not e2e"

bench: install
	PATRON_LOCAL=1 $(BIN)/python bench/core.py
	PATRON_LOCAL=1 $(BIN)/python bench/standards.py
	PATRON_LOCAL=1 $(BIN)/python bench/ingest.py
	PATRON_LOCAL=1 $(BIN)/python bench/pii.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
