# Two commands on a fresh machine: `make report` (the main job on the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2017
RAW ?= data/raw
PROCESSED ?= data/processed

.PHONY: help report score test lint demo bench bench-report bench-scoring clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 16

$(BIN)/.installed: pyproject.toml
	bash .ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

report: $(BIN)/.installed  ## Build the year's report (YEAR=2017) from data/raw into reports/
	$(BIN)/cntt report --year $(YEAR) --raw $(RAW) --processed $(PROCESSED)

score: $(BIN)/.installed  ## Score every round in data/raw into data/processed
	$(BIN)/cntt score --raw $(RAW) --processed $(PROCESSED)

lint: $(BIN)/.installed  ## ruff (code and notebooks), import layers contract, mypy
	$(BIN)/ruff check cntt_analysis tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint  ## Lint, then the test suite in parallel with branch coverage
	$(BIN)/pytest -n auto --cov=cntt_analysis --cov-branch --cov-report=term:skip-covered

demo: $(BIN)/.installed  ## Write the synthetic demo data into data/raw
	$(BIN)/cntt demo --raw $(RAW)

bench: $(BIN)/.installed  ## Time intake against the naive read (benchmarks/intake.py)
	$(BIN)/python benchmarks/intake.py

bench-report: $(BIN)/.installed  ## Time the report: cold, unchanged, one unit changed (benchmarks/report.py)
	$(BIN)/python benchmarks/report.py

bench-scoring: $(BIN)/.installed  ## Time the scoring engine against the one it replaced (benchmarks/scoring.py)
	$(BIN)/python benchmarks/scoring.py

clean:  ## Remove scored rounds and built reports
	rm -rf $(PROCESSED)/[0-9]* reports/[0-9]* reports/.builds
	rm -f .coverage .coverage.*
