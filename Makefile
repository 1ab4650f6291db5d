# The targets the README tells people to run. `make run` serves the dashboard, `make test` proves it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= localhost
PORT ?= 8501
BASE_PATH ?=
PLATFORM ?= x86_64
# Unpacked from the offline bundle (make bundle), the folder has its wheels: install from them, never the network.
PIP_SOURCE := $(if $(wildcard wheels/*.whl),--no-index --find-links wheels,)

.PHONY: run test bench loadtest lint format system-deps bundle clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_SOURCE) -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(BIN)/python serve.py dashboard.py --server.address "$(ADDRESS)" --server.port "$(PORT)" --server.baseUrlPath "$(BASE_PATH)"

system-deps:
	@bash scripts/ensure-system-packages.sh

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pytest exits 5 when it collects no test, which fails this target like any other failure.
test: $(VENV)/.test-deps system-deps lint
	$(BIN)/python -m pytest

# Benchmarks against their floors (see BENCHMARKS.md); SIZES=10000,100000 for a shorter run.
SIZES ?= 10000,100000,1000000
bench: $(VENV)/.test-deps system-deps
	$(BIN)/python -m bench.run --sizes "$(SIZES)" --browser

# Sessions at once through Streamlit's websocket protocol, then a browser check (see BENCHMARKS.md).
SESSIONS ?= 1,10,30
loadtest: $(VENV)/.test-deps system-deps
	$(BIN)/python -m bench.loadtest --sessions "$(SESSIONS)" --browser 3

# The offline installer for an intranet server: dist/ftz-dashboard-<version>-offline.tar.gz (PLATFORM=aarch64 for ARM).
bundle: $(VENV)/.run-deps
	$(BIN)/python scripts/bundle.py --platform "$(PLATFORM)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
