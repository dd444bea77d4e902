# Two commands on a fresh machine: `make report` (the main job on the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2017
RAW ?= data/raw
PROCESSED ?= data/processed

.PHONY: report score test lint demo bench bench-report clean

$(BIN)/.installed: pyproject.toml
	bash .ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

report: $(BIN)/.installed
	$(BIN)/cntt report --year $(YEAR) --raw $(RAW) --processed $(PROCESSED)

score: $(BIN)/.installed
	$(BIN)/cntt score --raw $(RAW) --processed $(PROCESSED)

test: $(BIN)/.installed
	$(BIN)/ruff check cntt_analysis tests benchmarks
	$(BIN)/pytest -n auto

demo: $(BIN)/.installed
	$(BIN)/cntt demo --raw $(RAW)

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/intake.py

bench-report: $(BIN)/.installed
	$(BIN)/python benchmarks/report.py

clean:
	rm -rf $(PROCESSED)/[0-9]* reports/[0-9]* reports/.builds
