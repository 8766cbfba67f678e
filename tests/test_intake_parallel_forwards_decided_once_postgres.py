"""Parallel forwards of one set are decided one at a time under the set's row lock: exactly one is taken, the
others are 403, and nothing is counted twice. Real concurrency needs PostgreSQL, so this runs only there."""

import threading
import uuid

import pytest
from django.db import connection

from ratings_site.generations.intake import AlreadyRated, take_horde_set
from ratings_site.generations.models import GenerationRating, GenerationSet, Preference
from ratings_site.raters.models import Rater
from tests.intake_helpers import set_rated_on_our_page

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
    pytest.mark.django_db(transaction=True),
]

RACERS = 8
IDS = ["g1", "g2", "g3"]
RATINGS = [{"id": "g1", "rating": 8}, {"id": "g2", "rating": 5}]


def race(request_id: str) -> list[object]:
    barrier = threading.Barrier(RACERS)
    outcomes: list[object] = [None] * RACERS

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = take_horde_set(
                request_id=request_id, all_set_ids=IDS, username="Racer#777", ratings=RATINGS, best=None
            )
        except Exception as exc:  # checked by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_parallel_forwards_of_a_new_set_record_it_once():
    request_id = str(uuid.uuid4())

    outcomes = race(request_id)

    taken = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(taken) == 1 and taken[0].recorded, outcomes
    assert all(isinstance(o, AlreadyRated) for o in outcomes if o is not taken[0]), outcomes
    assert GenerationSet.objects.count() == 1 and Rater.objects.filter(horde_id=777).count() == 1
    assert GenerationRating.objects.count() == 2 and Preference.objects.count() == 2


def test_parallel_forwards_of_our_own_submission_are_answered_2xx_once():
    request_id = str(uuid.uuid4())
    set_rated_on_our_page(request_id, IDS, ratings=RATINGS, best=None, submission="pending", horde_id=777)

    outcomes = race(request_id)

    taken = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(taken) == 1 and taken[0].acknowledged, outcomes
    assert sum(isinstance(o, AlreadyRated) for o in outcomes) == RACERS - 1
    assert GenerationRating.objects.count() == 2 and Preference.objects.count() == 2
