# One command to run the model, one to run the tests; both build .venv first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: env demo test lint bench browser-deps

env:
	@bash scripts/bootstrap.sh

demo: env
	$(BIN)/alliancesim run --scenario baseline --seed 1 --out out/baseline
	@echo "tables and figures written to out/baseline/"

test: env browser-deps
	$(BIN)/python -m pytest

lint: env
	$(BIN)/ruff check .

bench: env
	$(BIN)/python benchmarks/bench_run.py

browser-deps:
	@bash scripts/browser_deps.sh
