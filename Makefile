# PileHub: `make demo` runs the hub with the Beixinjing demo; `make test` runs every check.
# Both set themselves up: a bootstrap venv with uv, then the project venv from uv.lock.

PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SYNCED := $(VENV)/.synced

.PHONY: demo test lint typecheck contracts contracts-check pytest bench fmt clean web

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

demo: $(SYNCED)
	$(BIN)/pilehub demo

test: lint typecheck contracts-check pytest

lint: $(SYNCED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(SYNCED)
	$(BIN)/mypy --strict app tests bench alembic

contracts: $(SYNCED)
	$(BIN)/python -m app.scripts.export_contracts

contracts-check: $(SYNCED)
	$(BIN)/python -m app.scripts.export_contracts --check

pytest: $(SYNCED)
	$(BIN)/pytest

bench: $(SYNCED)
	$(BIN)/python -m bench.board
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.energy

fmt: $(SYNCED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The big screen's bundle (app/screen/static/, committed): needs Node and npm; `make test`
# checks the committed bundle against web/ without them (tests/screen/test_bundle.py).
web:
	cd web && npm ci && npx tsc --noEmit -p . && node build.mjs

clean:
	rm -rf $(VENV) $(TOOLS) var .mypy_cache .ruff_cache .pytest_cache
