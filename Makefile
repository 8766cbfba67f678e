# Horde Ratings: `make run` serves the site with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install browser worker standin benchmark clean

# The virtualenv, re-made when requirements.txt changes. torch/torchvision are pinned to
# the releases this machine's pip finds on local disk (see DEVELOPERS.md).
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (Playwright must never download its own).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi

run: install
	bash scripts/run_dev.sh

test: install browser lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Ruff, configured in pyproject.toml: pyflakes, pycodestyle, import order, pyupgrade, bugbear.
lint: install
	$(PY) -m ruff check .

worker: install
	$(PY) manage.py db_worker

standin: install
	DEBUG=1 $(PY) manage.py standin_horde --port 7001

benchmark: install
	$(PY) benchmarks/queue_benchmark.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
