"""Two workers retrying the same pending set at once: one sends it, the other sees it taken. Real concurrency
needs PostgreSQL, so this runs only there."""

import threading

import pytest
from django.db import connection

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationSet
from ratings_site.generations.services import send_set_rating
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit
from tests.helpers import run_worker

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_retries_send_once(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)
    submit(client, DEMO_SET_FOUR, {ids[0]: 7, ids[1]: 3})
    run_worker()  # the first try meets the Horde down
    horde.delay_seconds = 0.4  # both workers are in flight together
    start, outcomes = threading.Barrier(4), []

    def work():
        try:
            start.wait()
            outcomes.append(send_set_rating(generation_set.pk).state)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("sent") >= 1
    assert len(rate_calls(horde)) == 2 and len(horde.rated) == 1  # the failed first call, then one send
    generation_set.refresh_from_db()
    assert (generation_set.submission, generation_set.horde_reward) == (GenerationSet.Submission.SENT, 10)
