"""The real crash: a `db_worker` killed while the Horde is paying its award leaves the line `sending`, and the line
then waits for a moderator, "being checked" for its rater, listed by pay_pending_kudos, never sent twice.

The worker runs in its own process on the test's database, so this needs PostgreSQL (the SQLite test database
lives in this process's memory).
"""

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
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_due_payment
from tests.predictor_fixtures import other_process_environment

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs the test database"),
    pytest.mark.django_db(transaction=True),
]


def _wait_for(condition, *, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_a_line_left_sending_by_a_killed_worker_waits_for_a_moderator(login, make_images, horde, settings):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    let_deferred_tasks_fall_due()
    horde.delay_seconds = 2  # the Horde holds its answer while the worker waits on it
    environment = {
        **other_process_environment(settings),
        "HORDE_API_URL": horde.url,
        "HORDE_SERVICE_API_KEY": SERVICE_API_KEY,
        "HORDE_TIMEOUT": "30",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"],
        env=environment,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: any(r["path"] == "/v2/kudos/award" for r in horde.requests))
        os.kill(worker.pid, signal.SIGKILL)  # mid-award: sent, not yet answered
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    _wait_for(lambda: horde.awards)  # the Horde pays it all the same

    line = KudosReward.objects.get()
    assert (line.status, line.last_error) == (KudosReward.Status.SENDING, "")
    assert line.sending_since is not None
    settings.HORDE_TIMEOUT = 0.5  # time passes: the call is over for sure (sent 2 s ago, over 2 × 0.5 s)

    assert '<span class="status sending">being checked</span>' in client.get("/kudos/").content.decode()
    out = io.StringIO()
    call_command("pay_pending_kudos", stdout=out)
    run_due_payment()
    assert f"line {line.pk}: 5 kudos to DemoRater#1001" in out.getvalue()
    assert "the worker stopped mid-call" in KudosReward.objects.get().last_error
    assert [award["amount"] for award in horde.awards] == [5]
