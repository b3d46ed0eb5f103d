# Kinerja: `make run` starts everything on the embedded stack, `make test` runs the suite.
# Needs only Python 3.11 and make; everything else is installed into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run stack test test-unit lint format schemas bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Kinerja needs Python 3.11, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

run: install  ## platform + demo on the embedded stack (Ctrl-C stops it)
	$(BIN)/kinerja run

stack: install  ## only the Kafka broker and MongoDB server
	$(BIN)/kinerja stack

test: install  ## the whole suite: unit, integration, end-to-end
	$(BIN)/python -m pytest

test-unit: install
	$(BIN)/python -m pytest tests/unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schemas: install  ## regenerate docs/schemas and docs/asyncapi from the code
	$(BIN)/python -m devtools.schema_export
	$(BIN)/python -m devtools.asyncapi_export

clean:
	rm -rf $(VENV) .kinerja-data .pytest_cache

bench: install  ## intake's doors vs bare writes, then the whole pipeline vs a bare-I/O pipeline (bench/results)
	$(BIN)/python -m bench.intake_doors
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.scoring
	$(BIN)/python -m bench.notification
	$(BIN)/python -m bench.training
	$(BIN)/python -m bench.dashboard
