# rocketpost: `make demo` and `make test` each do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

VENDOR := src/rocketpost/service/web/static/vendor/VERSIONS.json

.PHONY: install demo test bench lint clean assets browser

# Checked before the venv exists: a venv made by too old a Python would only fail later, in pip.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "rocketpost needs Python >= 3.11; run e.g. 'make PYTHON=python3.11 $(MAKECMDGOALS)'" >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) $(VENDOR)

# Browser assets of the control room and /docs, /redoc (docs/controlroom.md): pinned by
# frontend/package-lock.json, fetched from the npm registry by `npm ci`, copied into the package.
# The copies are committed, so a clone without npm still serves the pages; this rebuilds them
# whenever the lock file changes (or with `make assets`).
$(VENDOR): frontend/package-lock.json frontend/vendor.py
	@if command -v npm >/dev/null 2>&1 && (cd frontend && \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && $(PYTHON) vendor.py); then \
		touch $(VENDOR); \
	elif git diff --quiet -- src/rocketpost/service/web/static/vendor 2>/dev/null && [ -f $(VENDOR) ]; then \
		echo "npm unavailable: serving the committed vendored assets"; touch $(VENDOR); \
	else echo "npm is needed to vendor the browser assets (apt-get install npm)" >&2; exit 1; fi

assets:
	rm -f $(VENDOR)
	$(MAKE) $(VENDOR)

# The page tests drive Debian's Chromium (never a browser downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

demo: $(STAMP) $(VENDOR)
	$(BIN)/python -m rocketpost.cli.demo

test: $(STAMP) $(VENDOR) browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache demo-output
