"""On Redis (django-tasks-rq), a rated set whose forward found the Horde down is sent again by the worker after
its back-off, once: the first call failed, the second went through, and nothing is sent after."""

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationSet
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit
from tests.redis_helpers import (
    let_rq_deferred_tasks_fall_due,
    needs_redis,
    run_rq_worker,
    scheduled_in,
)

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def test_a_set_the_horde_was_down_for_is_sent_after_its_backoff_once(rq_tasks, login, horde, settings):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)

    submit(client, DEMO_SET_FOUR, {ids[0]: 9, ids[1]: 4}, best=ids[0])
    run_rq_worker(queue="default")  # the first try, if the page left it to the worker: the Horde is down

    assert len(rate_calls(horde)) == 1 and not horde.rated
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING
    [waits] = scheduled_in("default").values()  # the retry, held by RQ's scheduler for its back-off
    assert settings.GENERATION_SUBMIT_RETRY_BASE_SECONDS - 5 <= waits <= settings.GENERATION_SUBMIT_RETRY_BASE_SECONDS + 1

    let_rq_deferred_tasks_fall_due()
    run_rq_worker(queue="default")
    let_rq_deferred_tasks_fall_due()
    run_rq_worker(queue="default")

    [accepted] = horde.rated
    assert accepted["best"] == ids[0]
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT
    assert len(rate_calls(horde)) == 2  # the failed call and the one that went through
    assert scheduled_in("default") == {}
