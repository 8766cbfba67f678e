"""A real worker process killed (SIGKILL, its whole process group) in the middle of paying kudos, on the database
engine (`manage.py db_worker`) and on Redis (`manage.py rqworker default --with-scheduler`), pays nothing twice:

- the payment in flight (the Horde got the award and pays it, but the worker never hears the answer) leaves its
  lines `sending`: after the restart they are never sent again, and they wait for a moderator (kudos.payments);
- the payment queued behind it (killed before its send) is paid once by the restarted worker.

The kill takes the worker and every process it started (RQ's work horse, which runs the task, and its scheduler),
as when the machine or container dies.

The Horde (the stand-in) counts the awards it received. The workers run in their own processes on the test's
database, so this needs PostgreSQL (the SQLite test database lives in this process's memory).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection

from ratings_site.demo.standin import SERVICE_API_KEY
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page
from tests.predictor_fixtures import other_process_environment
from tests.redis_helpers import (
    let_rq_deferred_tasks_fall_due,
    redis_answers,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs the test database"),
    pytest.mark.django_db(transaction=True),
]


def _wait_for(condition, *, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(params=["database", "redis"])
def engine(request, settings) -> dict:
    """How a worker process is started on this engine, and how its due payments are made due in this process."""
    environment = {
        **other_process_environment(settings),
        "HORDE_API_URL": settings.HORDE_API_URL,
        "HORDE_SERVICE_API_KEY": SERVICE_API_KEY,
        "HORDE_TIMEOUT": "30",
    }
    environment.pop("REDIS_URL", None)
    if request.param == "database":
        command = ["db_worker", "--queue-name", "default", "--no-startup-delay", "--interval", "0.2", "--no-reload"]
        return {"command": command, "environment": environment, "fall_due": let_deferred_tasks_fall_due}
    if not redis_answers():
        pytest.skip("no Redis answers (TEST_REDIS_URL)")
    request.getfixturevalue("rq_tasks")  # this process enqueues on the same Redis database
    redis_url = request.getfixturevalue("redis_database")
    return {
        "command": ["rqworker", "default", "--with-scheduler"],
        "environment": {**environment, "REDIS_URL": redis_url},
        "fall_due": let_rq_deferred_tasks_fall_due,
    }


def _start(engine: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *engine["command"], "-v", "0"],
        env=engine["environment"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _process_tree(pid: int) -> list[int]:
    """The process and all its descendants (RQ's work horse starts a session of its own, so its group is not the
    worker's), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and every process it started, at once: a machine or container that dies."""
    for pid in _process_tree(worker.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.wait(timeout=10)


def _statuses(username: str) -> set[str]:
    return set(KudosReward.objects.filter(rater__username=username).values_list("status", flat=True))


def test_a_killed_worker_pays_nothing_twice(engine, login, make_images, horde, settings):
    images = make_images(2)
    for key, image in zip((DEMO_KEY, SECOND_KEY), images, strict=True):
        rate_via_page(login(key), image)  # two raters: two payments, each after its batch window
    engine["fall_due"]()
    horde.delay_seconds = 3  # the Horde takes the award, then pays it slowly: the worker waits on its answer

    worker = _start(engine)
    try:
        _wait_for(lambda: any(r["path"] == "/v2/kudos/award" for r in horde.requests), what="the first award")
        _kill(worker)  # mid-award: the Horde got it; the other payment waits behind it, never sent
    finally:
        _kill(worker)
    horde.delay_seconds = 0
    _wait_for(lambda: len(horde.awards) == 1, what="the Horde to pay the award in flight")
    [in_flight] = [award["username"] for award in horde.awards]
    [queued] = {"DemoRater#1001", "SecondRater#1006"} - {in_flight}
    assert _statuses(in_flight) == {KudosReward.Status.SENDING}
    assert _statuses(queued) == {KudosReward.Status.PENDING}

    restarted = _start(engine)
    try:
        _wait_for(lambda: _statuses(queued) == {KudosReward.Status.PAID}, what="the queued payment")
        settings.HORDE_TIMEOUT = 0.5  # time passes: the killed call is over for sure
        out = io.StringIO()
        call_command("pay_pending_kudos", stdout=out)  # cron's safety net, while the worker runs
        time.sleep(2)
    finally:
        _kill(restarted)

    assert sorted((a["username"], a["amount"]) for a in horde.awards) == sorted([(in_flight, 5), (queued, 5)])
    assert _statuses(in_flight) == {KudosReward.Status.SENDING}  # never sent again: it waits for a moderator
    [stuck] = KudosReward.objects.filter(rater__username=in_flight)
    assert f"line {stuck.pk}: 5 kudos to {in_flight}" in out.getvalue()
    assert "the worker stopped mid-call" in stuck.last_error
    assert _statuses(queued) == {KudosReward.Status.PAID}
