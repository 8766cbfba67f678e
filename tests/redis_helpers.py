"""Redis for the tests that run the site's tasks on RQ (django-tasks-rq) or keep its limits in Redis.

Redis is found at TEST_REDIS_URL (default redis://127.0.0.1:6379; never REDIS_URL, which would switch the whole
suite to Redis), and `.ci/run` starts one where the machine has it. Without an answer these tests skip, saying so.

RQ's keys cannot take a prefix (its queues are `rq:queue:default` whoever enqueues), so each test session (each
pytest-xdist worker, each parallel run) claims a Redis database of its own, 1 to 15: a key in database 0 with a
lease, `horde-ratings-tests:db:<n>`, taken with SET NX. The claimed database is emptied before each test that uses
it, and given back at the session's end.

`rq_tasks` switches the task engine to RQ for one test (settings.TASKS, RQ_QUEUES, RQ), as REDIS_URL does in
production; `run_rq_worker()` then runs what is due in this process (RQ's SimpleWorker in burst mode, with its
scheduler, which moves a task whose `run_after` has come onto its queue), as tests/helpers.py's `run_worker` does
for the database backend.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator

import django_rq
import pytest
import redis
from django.conf import settings as django_settings
from django_tasks_rq import Job
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

BASE_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
CLAIM_KEY = "horde-ratings-tests:db:{}"
LEASE_SECONDS = 3 * 3600  # longer than any test session; a crashed session's claim lapses by itself


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(f"{BASE_URL}/0", socket_connect_timeout=1, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


NO_REDIS = f"no Redis answers at {BASE_URL} (TEST_REDIS_URL); .ci/run starts one where redis-server is installed"
needs_redis = pytest.mark.skipif(not redis_answers(), reason=NO_REDIS)


@pytest.fixture(scope="session")
def redis_database() -> Iterator[str]:
    """The URL of a Redis database this session alone uses (see the module's docstring)."""
    if not redis_answers():
        pytest.skip(NO_REDIS)
    claims = redis.Redis.from_url(f"{BASE_URL}/0")
    owner = f"{socket.gethostname()}:{os.getpid()}:{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    for number in range(1, 16):
        if claims.set(CLAIM_KEY.format(number), owner, nx=True, ex=LEASE_SECONDS):
            break
    else:
        pytest.skip("every Redis database 1-15 is claimed by another test session")
    url = f"{BASE_URL}/{number}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()
        if claims.get(CLAIM_KEY.format(number)) == owner.encode():
            claims.delete(CLAIM_KEY.format(number))


@pytest.fixture
def empty_redis(redis_database: str) -> Iterator[redis.Redis]:
    """This session's Redis database, emptied before and after the test."""
    connection = redis.Redis.from_url(redis_database)
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture
def rq_tasks(empty_redis: redis.Redis, redis_database: str, settings) -> redis.Redis:
    """The task engine on RQ for this test, as settings.py makes it when REDIS_URL is set."""
    settings.RQ_QUEUES = {queue: {"URL": redis_database, "DEFAULT_TIMEOUT": 600} for queue in settings.TASK_QUEUES}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    return empty_redis


def _queues(queue: str) -> list:
    names = django_settings.TASK_QUEUES if queue == "*" else [queue]
    return [django_rq.get_queue(name, job_class=Job) for name in names]


def run_rq_worker(queue: str = "*") -> None:
    """Run every task due on that queue (every queue by default) in this process, then return."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    queues = _queues(queue)
    try:
        worker = SimpleWorker(queues, connection=queues[0].connection, job_class=Job)
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def waiting_in(queue: str) -> int:
    """How many tasks wait on the queue, due now."""
    return len(django_rq.get_queue(queue, job_class=Job))


def scheduled_in(queue: str) -> dict[str, float]:
    """The tasks on the queue that wait for their `run_after`, and how many seconds each still waits."""
    registry = ScheduledJobRegistry(queue=django_rq.get_queue(queue, job_class=Job))
    now = time.time()
    return {
        job_id.decode(): score - now
        for job_id, score in registry.connection.zrange(registry.key, 0, -1, withscores=True)
    }


def let_rq_deferred_tasks_fall_due() -> None:
    """Time passes: every task waiting for its `run_after` (a batch window, a retry's back-off) is due now."""
    for queue in _queues("*"):
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.connection.zrange(registry.key, 0, -1):
            registry.connection.zadd(registry.key, {job_id: 0})
