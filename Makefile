# Two commands on a fresh machine: `make report` (the main job on the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2017
RAW ?= data/raw
PROCESSED ?= data/processed

.PHONY: help report score test lint demo bench bench-report bench-scoring bytecode clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 16

$(BIN)/.installed: pyproject.toml
	bash .ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory bytecode
	touch $@

# An editable install leaves the package without bytecode, and where PYTHONDONTWRITEBYTECODE
# is set (as in many containers, this machine's too) Python never writes it: every command
# and every report kernel compiled the package's 90 modules again (~0.18 s of `cntt score`).
# Compiled here; a module edited since is compiled again (only it) on the next run.
bytecode:  ## Compile the package's bytecode (done by the targets below; quick when current)
	@$(BIN)/python -m compileall -q cntt_analysis

report: $(BIN)/.installed bytecode  ## Build the year's report (YEAR=2017) from data/raw into reports/
	$(BIN)/cntt report --year $(YEAR) --raw $(RAW) --processed $(PROCESSED)

score: $(BIN)/.installed bytecode  ## Score every round in data/raw into data/processed
	$(BIN)/cntt score --raw $(RAW) --processed $(PROCESSED)

lint: $(BIN)/.installed  ## ruff (code and notebooks), import layers contract, mypy
	$(BIN)/ruff check cntt_analysis tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint  ## Lint, then the test suite in parallel with branch coverage
	$(BIN)/pytest -n auto --cov=cntt_analysis --cov-branch --cov-report=term:skip-covered

demo: $(BIN)/.installed  ## Write the synthetic demo data into data/raw
	$(BIN)/cntt demo --raw $(RAW)

bench: $(BIN)/.installed bytecode  ## Time intake against the naive read (benchmarks/intake.py)
	$(BIN)/python benchmarks/intake.py

bench-report: $(BIN)/.installed bytecode  ## Time the report: cold, unchanged, one unit changed (benchmarks/report.py)
	$(BIN)/python benchmarks/report.py

bench-scoring: $(BIN)/.installed bytecode  ## Time the scoring engine against the one it replaced (benchmarks/scoring.py)
	$(BIN)/python benchmarks/scoring.py

clean:  ## Remove scored rounds and built reports
	rm -rf $(PROCESSED)/[0-9]* reports/[0-9]* reports/.builds
	rm -f .coverage .coverage.*
