"""When Redis (the task engine) does not answer, a rating is still saved and answered as usual: its ledger line
is written, the failed enqueue is logged, and cron's safety net (`pay_pending_kudos`) enqueues the payment once
Redis is back, from the ledger's own rows."""

import logging
import socket
from io import StringIO

import pytest
from django.core.management import call_command

from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page
from tests.redis_helpers import (
    needs_redis,
    run_rq_worker,
    scheduled_in,
    waiting_in,
)

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def _a_closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_rating_is_saved_while_redis_is_down_and_paid_once_it_is_back(
    rq_tasks, login, make_images, horde, settings, caplog
):
    working_queues = settings.RQ_QUEUES
    settings.RQ_QUEUES = {
        queue: {**config, "URL": f"redis://127.0.0.1:{_a_closed_port()}/0"} for queue, config in working_queues.items()
    }
    client = login(DEMO_KEY)

    with caplog.at_level(logging.ERROR, logger="ratings_site.background"):
        rate_via_page(client, make_images(1)[0])  # answered with the form's redirect, not a 500

    assert KudosReward.objects.get().status == KudosReward.Status.PENDING
    assert "Could not enqueue ratings_site.kudos.tasks.pay_rewards" in caplog.text

    settings.RQ_QUEUES = working_queues  # Redis is back
    assert scheduled_in("default") == {} and waiting_in("default") == 0
    call_command("pay_pending_kudos", stdout=StringIO())
    run_rq_worker()

    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 5)]
    assert KudosReward.objects.get().status == KudosReward.Status.PAID
