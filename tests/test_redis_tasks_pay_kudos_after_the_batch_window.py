"""On Redis (django-tasks-rq, as REDIS_URL makes it), a kudos payment waits its batch window (`run_after`, which
RQ's scheduler honours), pays every pending line of the rater in one award, and a failed award is tried again
after its back-off: paid once."""

import pytest
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page
from tests.redis_helpers import (
    let_rq_deferred_tasks_fall_due,
    needs_redis,
    run_rq_worker,
    scheduled_in,
)

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def _statuses() -> set[str]:
    return set(KudosReward.objects.values_list("status", flat=True))


def test_the_payment_waits_its_batch_window_then_pays_once(rq_tasks, login, make_images, horde, settings):
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)

    [waits] = scheduled_in("default").values()  # one payment for both lines, held by RQ's scheduler
    assert settings.KUDOS_BATCH_SECONDS - 5 <= waits <= settings.KUDOS_BATCH_SECONDS + 1
    run_rq_worker()  # not due yet: nothing is paid
    assert horde.awards == [] and _statuses() == {KudosReward.Status.PENDING}

    let_rq_deferred_tasks_fall_due()
    run_rq_worker()

    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 10)]
    assert _statuses() == {KudosReward.Status.PAID}
    assert scheduled_in("default") == {}
    assert not DBTaskResult.objects.exists()  # nothing went through the database backend


def test_a_failed_award_is_tried_again_after_its_backoff(rq_tasks, login, make_images, horde, settings):
    horde.fail("/v2/kudos/award", 1)
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    let_rq_deferred_tasks_fall_due()
    run_rq_worker()

    assert horde.awards == [] and _statuses() == {KudosReward.Status.PENDING}
    [waits] = scheduled_in("default").values()
    assert settings.KUDOS_RETRY_BASE_SECONDS - 5 <= waits <= settings.KUDOS_RETRY_BASE_SECONDS + 1
    run_rq_worker()  # the retry is not run before its time
    assert horde.awards == []

    let_rq_deferred_tasks_fall_due()
    run_rq_worker()
    let_rq_deferred_tasks_fall_due()
    run_rq_worker()

    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 5)]
    assert _statuses() == {KudosReward.Status.PAID}
