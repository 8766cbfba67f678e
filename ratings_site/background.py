"""The one way the site hands work to the task worker, and the one back-off its retries wait.

Every app schedules its tasks through `enqueue_after_commit`: the task is enqueued once the caller's transaction
commits (at once outside a transaction), so that a worker never runs before the rows it reads exist, and a rolled
back change leaves no task behind. `enqueue` enqueues at once, for work that reads nothing the caller writes (a
refresh of figures that a page asks for). The engine is a setting (`settings.TASKS`: the database backend by default,
Redis through django-tasks-rq when REDIS_URL is set); nothing here or in the apps knows which.

A service that a task module imports names its task by dotted path (`"ratings_site.generations.tasks.send_pending_set"`)
rather than importing it back: imports run one way, tasks → services (tests/test_tasks_and_services_import_one_way.py).

A task that fails for a reason that passes (the Horde down, an image host slow) is enqueued again after
`backoff_seconds(attempts, base, cap)`: base, 2×base, 4×base … at most `cap`. Each app keeps its own base setting
(KUDOS_RETRY_BASE_SECONDS, GENERATION_SUBMIT_RETRY_BASE_SECONDS, GENERATION_COPY_RETRY_BASE_SECONDS).

Enqueueing never fails the caller's request: the work is recorded in the caller's rows first, and when the engine
cannot take it (Redis down) the error is logged and the safety nets (`pay_pending_kudos`, `resume_generation_work`,
from cron) enqueue it again from those rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AT_MOST_SECONDS = 3600  # the longest any retry waits, unless its caller says otherwise


def backoff_seconds(attempts: int, base: float, cap: float = RETRY_AT_MOST_SECONDS) -> float:
    """Seconds to wait after the `attempts`-th failed try: base, 2×base, 4×base … at most `cap`."""
    return float(min(base * 2 ** max(attempts - 1, 0), cap))


def task_named(task: Task | str) -> Task:
    """The task itself, from a task or its dotted path (which must name a task)."""
    found = import_string(task) if isinstance(task, str) else task
    if not isinstance(found, Task):
        raise TypeError(f"{task!r} is not a task")
    return found


def enqueue_after_commit(task: Task | str, *args: Any, delay_seconds: float = 0, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the current transaction commits (at once outside one), to run no
    sooner than `delay_seconds` from then (`run_after`). The way to schedule work on rows the caller writes."""
    transaction.on_commit(lambda: enqueue(task, *args, delay_seconds=delay_seconds, **kwargs))


def enqueue(task: Task | str, *args: Any, delay_seconds: float = 0, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` now, to run no sooner than `delay_seconds` from now. Only for work that reads
    nothing the caller's transaction writes (a refresh of figures a page asked for); else `enqueue_after_commit`."""
    found = task_named(task)
    if delay_seconds > 0:
        found = found.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    try:
        found.enqueue(*args, **kwargs)
    except (RedisError, DatabaseError, OSError):  # unreachable: the rows keep the work, cron's safety nets redo it
        logger.exception("Could not enqueue %s%s; the safety net enqueues it again", found.module_path, args)
