# Fuhe — the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FUHE_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-fast setup lint serve clean-demo lock

## Set everything up, load the demo and serve it on http://127.0.0.1:8000
demo: setup
	FUHE_SECURE_COOKIES=0 $(BIN)/fuhe demo
	@echo "Serving on http://127.0.0.1:8000/ — log in with one of the demo logins above."
	FUHE_SECURE_COOKIES=0 $(BIN)/fuhe serve

## Run the whole test suite (lint, formatting, import contract, types, templates; unit, property, API, browser tests)
test: setup lint
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -q --durations=15

## The inner loop: lint and every test but the browser, demo-building, fuzzing and other slow ones (under 60 s)
test-fast: setup lint
	$(BIN)/python -m pytest -q -m "not browser and not slow and not fuzz" --durations=5

## Every check that reads the code without running it; each one fails the build
lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/djlint src/fuhe --lint

setup: $(VENV)/.installed
	@bash scripts/ensure-cjk-font

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	if command -v msgfmt >/dev/null; then $(BIN)/fuhe compilemessages -v0 --ignore=.venv; fi
	touch $@

## Lock the dependencies again after editing pyproject.toml
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock
