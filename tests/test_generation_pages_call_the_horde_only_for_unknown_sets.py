"""The generation pages call the Horde only to learn of a set the site does not know (generate/status): once the
set is recorded, its page, the review, the save, the page's poll and the list make no Horde call at all, so a
Horde that is down changes none of their answers. The send to generate/rate is the worker's."""

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationSet
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, set_url, submit
from tests.helpers import let_deferred_tasks_fall_due, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_known_set_is_shown_reviewed_saved_and_polled_without_the_horde(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/", 1000, 503)  # every Horde call fails from here on
    calls = len(horde.requests)

    assert client.get(set_url(DEMO_SET_FOUR)).status_code == 200
    assert submit(client, DEMO_SET_FOUR, {ids[0]: 7}, confirmed=False).status_code == 200  # the review
    assert submit(client, DEMO_SET_FOUR, {ids[0]: 7}).status_code == 302  # saved
    assert client.get(set_url(DEMO_SET_FOUR)).status_code == 200
    assert client.get(set_url(DEMO_SET_FOUR) + "?poll=1", headers={"HX-Request": "true"}).status_code == 204
    assert client.get("/generations/").status_code == 200

    assert len(horde.requests) == calls, horde.requests[calls:]
    generation_set = GenerationSet.objects.get()
    assert generation_set.submission == GenerationSet.Submission.PENDING and generation_set.rated_at is not None

    run_worker()  # the worker's try meets the Horde down: still pending, nothing lost
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING and generation_set.submission_attempts == 1
    assert client.get(set_url(DEMO_SET_FOUR) + "?poll=1", headers={"HX-Request": "true"})["HX-Refresh"] == "true"

    horde.reset()  # the Horde is back
    let_deferred_tasks_fall_due()
    run_worker()
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT and len(horde.rated) == 1
