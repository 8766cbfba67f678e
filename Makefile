# Horde Ratings: `make run` serves the site with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install browser worker standin benchmark load clean gpu-wheels

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

# The suite runs in parallel, in TEST_WORKERS pytest-xdist processes (auto: one per core; 0: all in this process),
# the tests split evenly and a worker that finishes first taking the rest of another's ("worksteal"); PYTEST_ARGS
# adds options or picks tests (make test PYTEST_ARGS="-n 0 tests/test_x.py").
TEST_WORKERS ?= auto
test: install browser lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Ruff, configured in pyproject.toml: pyflakes, pycodestyle, import order, pyupgrade, bugbear.
lint: install
	$(PY) -m ruff check .

# The task workers, one per queue (settings.TASK_QUEUES) as in production (README, Background work): `make worker`
# runs them all in the foreground (Ctrl-C stops them, each after its current task); `make worker QUEUES=copies` runs
# one. On the database by default; on Redis when REDIS_URL is set, each with RQ's scheduler, which starts the tasks
# whose run_after (a batch window, a retry's back-off) has come.
QUEUES ?= default copies exports
worker: install
	for queue in $(QUEUES); do \
	  if [ -n "$$REDIS_URL" ]; then $(PY) manage.py rqworker $$queue --with-scheduler & \
	  else $(PY) manage.py db_worker --queue-name $$queue & fi; \
	done; wait

standin: install
	DEBUG=1 $(PY) manage.py standin_horde --port 7001

benchmark: install
	$(PY) benchmarks/queue_benchmark.py

# The rating loop under load (benchmarks/README.md, Load): gunicorn on a PostgreSQL database of its own, N raters
# through the pages and the API, /healthz as the ceiling; it prints the goals met or not. `make load LOAD_ARGS="--seconds 5 --raters 4"`.
load: install
	$(PY) benchmarks/load.py $(LOAD_ARGS)

# The wheels the GPU machine lacks (benchmarks/gpu_requirements.txt) for its Python 3.12, into the ignored .whl/,
# each named (--no-deps): carried there with `carry: [".whl"]` by benchmarks/gpu_check.sh (benchmarks/README.md).
# GPU_WHEELS_PYTHON=3.11 GPU_WHEELS=/tmp/whl-cp311 fetches the same list for this machine's Python (the CPU rehearsal).
GPU_WHEELS ?= .whl
GPU_WHEELS_PYTHON ?= 3.12
# The oldest glibc first: pip takes the first platform a package has a wheel for.
GPU_WHEELS_PLATFORMS := manylinux1_x86_64 manylinux2014_x86_64 manylinux_2_17_x86_64 manylinux_2_24_x86_64 \
	manylinux_2_27_x86_64 manylinux_2_28_x86_64 manylinux_2_31_x86_64 manylinux_2_34_x86_64 manylinux_2_35_x86_64
gpu-wheels:
	rm -rf $(GPU_WHEELS) && mkdir -p $(GPU_WHEELS)
	$(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--python-version $(GPU_WHEELS_PYTHON) --implementation cp $(GPU_WHEELS_PLATFORMS:%=--platform %) \
		-d $(GPU_WHEELS) -r benchmarks/gpu_requirements.txt
	@listed=$$(grep -c '^[A-Za-z].*==' benchmarks/gpu_requirements.txt); got=$$(ls $(GPU_WHEELS)/*.whl | wc -l); \
		echo "$$got wheels ($$(du -sh $(GPU_WHEELS) | cut -f1)) in $(GPU_WHEELS)/ for Python $(GPU_WHEELS_PYTHON); $$listed listed"; \
		test "$$got" = "$$listed"

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
