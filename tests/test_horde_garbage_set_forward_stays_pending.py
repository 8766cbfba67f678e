"""A rated generation set sent to a Horde that answers 500, sends garbage, closes the connection or is slow: the
page answers at once all the same (the worker sends), the rating stays stored and pending, and it is sent once
when the Horde is back, never twice.

A 5xx means the Horde did not take it: the retry sends it again. An unreadable 2xx or a connection closed after
the Horde credited the rating means it may have taken it: the retry hears the Horde's "already rated" and counts
that as accepted (the reward unknown, so no ledger line is written for it).
"""

import time

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating, GenerationSet
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit
from tests.helpers import let_deferred_tasks_fall_due, run_worker
from tests.intake_helpers import forwarding_horde, horde_address_listed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _saved_at_once(client, ids) -> None:
    started = time.monotonic()
    response = submit(client, DEMO_SET_FOUR, {ids[0]: 8, ids[1]: 3}, follow=True)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "Saved; sending to the Horde" in response.content.decode()
    assert elapsed < 2, f"the page waited on the Horde: {elapsed:.2f} s"


@pytest.mark.parametrize("status", [500, 502])
def test_an_error_answer_leaves_it_pending_and_the_retry_sends_it_once(login, forwarding_horde, status):
    """The Horde forwards the set to our intake, naming its owner: the ledger then shows the reward it paid."""
    horde = forwarding_horde
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, status)

    _saved_at_once(client, ids)
    run_worker()

    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING and not generation_set.submission_uncertain
    assert GenerationRating.objects.count() == 2 and not horde.rated
    assert "pending: we will send it when the Horde answers" in client.get("/generations/").content.decode()

    let_deferred_tasks_fall_due()
    run_worker()

    generation_set.refresh_from_db()
    assert (generation_set.submission, generation_set.horde_reward) == (GenerationSet.Submission.SENT, 10)
    assert len(horde.rated) == 1 and len(rate_calls(horde)) == 2
    assert KudosReward.objects.get().amount == 10  # the ledger shows what the Horde paid, once


@pytest.mark.parametrize("how", ["garbage", "wrong-json", "close"])
def test_an_unreadable_or_missing_answer_after_the_horde_took_it_is_never_sent_twice(login, horde, how):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.misbehave("/v2/generate/rate", 1, how)

    _saved_at_once(client, ids)
    run_worker()

    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING and generation_set.submission_uncertain
    assert len(horde.rated) == 1  # the Horde did credit it

    let_deferred_tasks_fall_due()
    run_worker()

    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT and generation_set.horde_reward is None
    assert len(horde.rated) == 1 and GenerationRating.objects.count() == 2
    assert not KudosReward.objects.exists()  # the reward never reached us: no line is made up
    assert "accepted by the Horde" in client.get("/generations/").content.decode()


def test_a_slow_horde_does_not_slow_the_page(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.misbehave("/v2/generate/rate", 1, "sleep", seconds=4)

    _saved_at_once(client, ids)

    assert not rate_calls(horde)
    run_worker()  # the worker waits on the Horde instead (within RATE_GENERATION_TIMEOUT)
    assert GenerationSet.objects.get().submission == GenerationSet.Submission.SENT
