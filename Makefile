# Two commands on a fresh machine with Python >= 3.11:
#   make run    creates .venv, installs cleaner, cleans the bundled seeds/ into out/seeds/
#   make test   creates .venv, installs cleaner with its test tools, runs lint, types and tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint fixtures bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/cleaner clean seeds/ -o out/seeds/
	$(BIN)/cleaner explain seeds/002_6d780ac8c6a5b1ba.txt seeds/003_8861b159ce7b2961.txt

lint: setup
	$(BIN)/ruff check cleaner tests bench
	$(BIN)/ruff format --check cleaner tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# Rewrite the golden fixtures' expectations from the current code; review the diff.
fixtures: setup
	$(BIN)/python -m pytest -q tests/test_fixtures.py --update-fixtures

bench: setup
	$(BIN)/python bench/clean_bench.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
