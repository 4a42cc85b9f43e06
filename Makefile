# `make demo` sets everything up and runs the conflict pack on the sample articles;
# `make test` runs the whole test suite. Both need only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared

.PHONY: setup demo test lint bench clean

$(BIN)/rulex: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spacy]'
	touch $@

setup: $(BIN)/rulex

demo: setup
	$(BIN)/rulex run rules/conflict $(SHARED)/samples/news

test: setup browser lint
	$(BIN)/python -m pytest -q

# ruff, then mypy (both configured in pyproject.toml); make test runs this first
lint: setup
	$(BIN)/ruff check rulex tests benchmarks
	$(BIN)/mypy

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_rules.py --corpus $(SHARED)/corpus/news

clean:
	rm -rf $(VENV) build dist .pytest_cache

# Debian's chromium (with a font) for the headless-browser test of the HTML report in
# tests/test_outputs.py, so `make test` (never `make demo` or `make setup`: a demo installs
# no system package) installs it with apt-get when missing and apt-get is usable (root, or
# passwordless sudo); this never fails the tests: without chromium that test is skipped and
# says why.
.PHONY: browser
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make browser: no chromium and no apt-get; the headless browser test will be skipped" >&2; \
	else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then \
	    echo "make browser: installing chromium needs root; the headless browser test will be skipped" >&2; \
	  else \
	    echo "make browser: installing Debian's chromium for the HTML report test" >&2; \
	    ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	        --no-install-recommends chromium fonts-liberation ) >/dev/null 2>&1 \
	      || echo "make browser: could not install chromium; the headless browser test will be skipped" >&2; \
	  fi; \
	fi

# The documentation site (mkdocs.yml, docs/): `make docs` builds it into site/ and fails on
# any warning or broken link; `make docs-serve` serves it on http://127.0.0.1:8000 and
# rebuilds on every edit. tests/test_docs.py builds it too.
.PHONY: docs docs-serve
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve
