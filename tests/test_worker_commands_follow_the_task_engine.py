"""`make worker` and `make run` (scripts/run_dev.sh) start a worker per queue for the engine the environment
chooses: `db_worker --queue-name QUEUE` on the database, `rqworker QUEUE --with-scheduler` when REDIS_URL is set
(RQ's scheduler is what starts a task whose run_after has come); and settings.py makes the same choice."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _make_worker(redis_url: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    if redis_url:
        environment["REDIS_URL"] = redis_url
    recipe = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "worker"], cwd=ROOT, env=environment, capture_output=True,
        text=True, check=True,
    ).stdout
    loop = recipe[recipe.index("for queue in") :]
    # Run the printed loop with `echo` in place of python, as make would run it.
    done = subprocess.run(
        ["sh", "-c", loop.replace(".venv/bin/python", "echo")], env=environment, capture_output=True, text=True,
        check=True,
    )
    return done.stdout


def test_make_worker_starts_the_database_workers_without_redis():
    started = _make_worker("")
    assert sorted(re.findall(r"manage\.py db_worker --queue-name (\w+)", started)) == sorted(settings.TASK_QUEUES)
    assert "rqworker" not in started


def test_make_worker_starts_rq_workers_with_their_scheduler_on_redis():
    started = _make_worker("redis://127.0.0.1:6379/0")
    assert sorted(re.findall(r"manage\.py rqworker (\w+) --with-scheduler", started)) == sorted(settings.TASK_QUEUES)
    assert "db_worker" not in started


def test_make_run_starts_rq_workers_with_their_scheduler_on_redis():
    script = (ROOT / "scripts" / "run_dev.sh").read_text()
    redis_branch = script[script.index('if [ -n "${REDIS_URL:-}" ]; then') : script.index("else", script.index("REDIS_URL:-"))]
    assert 'rqworker "$queue" --with-scheduler' in redis_branch
    assert re.search(r"for queue in ([\w ]+); do", redis_branch).group(1).split() == settings.TASK_QUEUES


def _settings_with(redis_url: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="tests.settings", REDIS_URL=redis_url)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TASKS['default']['BACKEND'], sorted(s.TASKS['default']['QUEUES']), "
        "sorted(getattr(s, 'RQ_QUEUES', {})), 'django_rq' in s.INSTALLED_APPS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_settings_choose_the_engine_by_redis_url():
    queues = sorted(settings.TASK_QUEUES)
    assert _settings_with("") == f"django_tasks_db.DatabaseBackend {queues} [] False"
    assert _settings_with("redis://127.0.0.1:6379/0") == f"django_tasks_rq.RQBackend {queues} {queues} True"
