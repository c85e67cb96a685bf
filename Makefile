# The two commands: `make run` (serve the demo) and `make test` (lint, types, tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench contract clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Local front-end dev servers (Vite, CRA, plain http.server) may call `make run`'s API.
DEV_CORS_ORIGINS := http://localhost:3000,http://127.0.0.1:3000,http://localhost:5173,http://127.0.0.1:5173,http://localhost:8080,http://127.0.0.1:8080

run: $(STAMP)
	$(BIN)/insights demo --if-empty
	INSIGHTS_CORS_ORIGINS="$${INSIGHTS_CORS_ORIGINS-$(DEV_CORS_ORIGINS)}" $(BIN)/insights serve --print-tokens

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check server tests bench migrations
	$(BIN)/ruff format --check server tests bench migrations

typecheck: $(STAMP)
	$(BIN)/mypy server

pytest: $(STAMP)
	$(BIN)/pytest

# Regenerate the published contract: the SDL per role and the generated reference docs.
contract: $(STAMP)
	$(BIN)/insights schema --write docs/schema
	$(BIN)/python -m server.reference .

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .data build *.egg-info
