"""Our page's forward to the Horde, with the Horde forwarding the set back to our intake as the real one does.

The Horde's forward reaches /api/v1/rating/set while our call (the worker's) waits: the intake answers 2xx (the rater keeps
the reward) and notes `horde_intake_at`. When our call timed out, the retry reads that note as "accepted" and
sends nothing again.
"""

import time

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating, GenerationSet
from ratings_site.horde import client as horde_client
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit, submit_and_send
from tests.helpers import let_deferred_tasks_fall_due, run_worker


@pytest.fixture
def horde_forwards_to_us(horde, live_server, settings):
    """As in production: the Horde sends no credential, the site lists its address (the stand-in's, 127.0.0.1)."""
    settings.HORDE_RATINGS_SET_TOKEN = ""
    settings.HORDE_RATINGS_SET_ALLOWED_IPS = ["127.0.0.1"]
    horde.set_ratings_service(f"{live_server.url}/api/v1/rating/set")
    return horde


@pytest.mark.django_db(transaction=True)
def test_the_intake_lets_our_own_submission_through_and_the_reward_shows(login, horde_forwards_to_us):
    horde = horde_forwards_to_us
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    response = submit_and_send(client, DEMO_SET_FOUR, {ids[0]: 8, ids[1]: 8, ids[2]: 2}, best=ids[1])

    assert "the Horde gave you <strong>15 kudos</strong>" in response.content.decode()
    [forward] = horde.forwards
    assert forward["outcome"] == "accepted"
    assert forward["payload"]["best"] == ids[0]  # the Horde's tie-blind quirk; our rater's pick stays
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT and generation_set.horde_intake_at
    assert generation_set.best.generation_id == ids[1]
    assert GenerationRating.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_timed_out_call_whose_forward_reached_us_is_not_sent_again(login, horde_forwards_to_us, settings, monkeypatch):
    horde = horde_forwards_to_us
    settings.HORDE_TIMEOUT = 0.3
    monkeypatch.setattr(horde_client, "RATE_GENERATION_TIMEOUT", 0.3)
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.delay_seconds = 0.8

    submit(client, DEMO_SET_FOUR, {ids[3]: 9})
    run_worker()  # the first try gives up waiting
    deadline = time.monotonic() + 5
    while not horde.rated and time.monotonic() < deadline:  # the Horde goes on: forwards to us, credits
        time.sleep(0.05)
    horde.delay_seconds = 0
    let_deferred_tasks_fall_due()
    run_worker()

    assert len(rate_calls(horde)) == 1 and len(horde.rated) == 1
    assert [f["outcome"] for f in horde.forwards] == ["accepted"]
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT
    assert generation_set.horde_intake_at is not None and generation_set.best.generation_id == ids[3]
