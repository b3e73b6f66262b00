# The two commands of the README: `make demo` renders the example, `make test` runs every test.
# Both create (or reuse) the virtual environment .venv in this checkout.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-quick test-fast lint bench install clean text-packages test-packages

install: $(STAMP)

# Debian packages, installed only when missing (see .ci/system-packages).
text-packages:
	@bash .ci/system-packages text

test-packages:
	@bash .ci/system-packages test

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: text-packages $(STAMP)
	$(VENV)/bin/reelflow render examples/welcome.md

test: test-packages $(STAMP)
	$(VENV)/bin/python -m pytest

# Everything but the tests marked long (SIGKILL trials, full disk, restarts, load): what to
# run while working; CI runs them all (make test).
test-quick: $(STAMP)
	$(VENV)/bin/python -m pytest -m "not long"

# The unit tier only: no database server, no Prefect server, seconds.
test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest tests/unit -q

bench: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e '.[test,bench]'
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e '.[test,dev]'
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --strict -p reelflow -p bench

clean:
	rm -rf reelflow-data .pytest_cache
