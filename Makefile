# `make demo` sets everything up and runs the conflict pack on the sample articles;
# `make test` runs the whole test suite. Both need only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared

.PHONY: setup demo test bench clean

$(BIN)/rulex: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/rulex

demo: setup
	$(BIN)/rulex run rules/conflict $(SHARED)/samples/news

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_rules.py --corpus $(SHARED)/corpus/news

clean:
	rm -rf $(VENV) build dist .pytest_cache
