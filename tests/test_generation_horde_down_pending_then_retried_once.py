"""When the Horde is down or silent, the rating is kept, shown pending, retried by the worker and sent once.

The page only records the rating: the worker sends it (`generations.tasks.send_pending_set`), so each test runs the
worker once for the first try."""

import time

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating, GenerationSet
from ratings_site.generations.services import send_set_rating
from ratings_site.horde import client as horde_client
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit
from tests.helpers import let_deferred_tasks_fall_due, run_worker
from tests.intake_helpers import forwarding_horde, horde_address_listed  # noqa: F401 (fixtures)


def waiting_tasks() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()


@pytest.mark.django_db(transaction=True)
def test_down_then_pending_then_the_worker_sends_it_and_the_reward_shows(login, forwarding_horde):
    """The Horde forwards the set to our intake, as the real one does: its forward names the owner, whose ledger
    then shows the reward (tests/test_opening_a_set_page_claims_nothing.py)."""
    horde = forwarding_horde
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)

    response = submit(client, DEMO_SET_FOUR, {ids[0]: (9, 0), ids[1]: 4}, best=ids[0], follow=True)

    page = response.content.decode()
    assert "Saved; sending to the Horde" in page and "nothing is lost" in page
    assert not rate_calls(horde)  # the page never waits on the Horde
    run_worker()  # the first try: the Horde is down
    assert len(rate_calls(horde)) == 1
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING
    assert GenerationRating.objects.count() == 2 and generation_set.best.generation_id == ids[0]
    assert not horde.rated
    assert "pending: we will send it when the Horde answers; nothing is lost" in client.get(
        f"/generations/{DEMO_SET_FOUR}/").content.decode()
    assert "pending" in client.get("/generations/").content.decode()

    run_worker()  # the retry waits for its back-off: nothing is sent before
    assert len(rate_calls(horde)) == 1
    let_deferred_tasks_fall_due()
    run_worker()

    [accepted] = horde.rated
    assert accepted["ratings"] == [{"id": ids[0], "rating": 9, "artifacts": 0}, {"id": ids[1], "rating": 4}]
    assert accepted["best"] == ids[0]
    generation_set.refresh_from_db()
    assert (generation_set.submission, generation_set.horde_reward) == (GenerationSet.Submission.SENT, 15)
    assert KudosReward.objects.get().amount == 15
    assert "The Horde gave you" not in page
    assert "the Horde gave you <strong>15 kudos</strong>" in client.get(f"/generations/{DEMO_SET_FOUR}/").content.decode()
    assert "15 kudos" in client.get("/generations/").content.decode()

    let_deferred_tasks_fall_due()
    run_worker()
    assert len(rate_calls(horde)) == 2 and len(horde.rated) == 1  # the failed call and the one that went through
    assert waiting_tasks() == 0


@pytest.mark.django_db(transaction=True)
def test_a_call_that_timed_out_is_not_sent_twice(login, horde, settings, monkeypatch):
    settings.HORDE_TIMEOUT = 0.3
    monkeypatch.setattr(horde_client, "RATE_GENERATION_TIMEOUT", 0.3)
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.delay_seconds = 0.8  # the Horde credits the rating, but answers after we gave up

    response = submit(client, DEMO_SET_FOUR, {ids[2]: 7, ids[3]: 2}, follow=True)
    run_worker()  # the first try gives up waiting

    assert "nothing is lost" in response.content.decode()
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING and generation_set.submission_uncertain
    horde.delay_seconds = 0
    deadline = time.monotonic() + 5
    while not horde.rated and time.monotonic() < deadline:  # the slow call lands on the Horde
        time.sleep(0.05)

    let_deferred_tasks_fall_due()
    run_worker()

    # The retry hears "already rated" from the Horde: that is our own earlier call, accepted.
    assert len(horde.rated) == 1
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT
    assert generation_set.horde_reward is None  # the Horde's answer never reached us
    assert GenerationRating.objects.count() == 2
    assert "accepted by the Horde" in client.get("/generations/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_after_a_timeout_the_hordes_forward_counts_as_accepted_without_a_call(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)
    submit(client, DEMO_SET_FOUR, {ids[0]: 8})
    run_worker()
    # As if that call had timed out while the Horde forwarded the set to our intake.
    GenerationSet.objects.filter(pk=generation_set.pk).update(submission_uncertain=True, horde_intake_at=timezone.now())

    let_deferred_tasks_fall_due()
    run_worker()

    assert len(rate_calls(horde)) == 1 and not horde.rated
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT


@pytest.mark.django_db(transaction=True)
def test_a_set_being_sent_elsewhere_is_not_sent_again(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)
    submit(client, DEMO_SET_FOUR, {ids[0]: 8})
    run_worker()
    GenerationSet.objects.filter(pk=generation_set.pk).update(submission_sending_since=timezone.now())

    outcome = send_set_rating(generation_set.pk)

    assert outcome.state == "busy"
    assert len(rate_calls(horde)) == 1
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING


@pytest.mark.django_db(transaction=True)
def test_retries_back_off_and_stop_after_the_last_attempt_keeping_the_rating(login, horde, settings):
    settings.GENERATION_SUBMIT_MAX_ATTEMPTS = 3
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 10, 503)
    submit(client, DEMO_SET_FOUR, {ids[0]: 8})
    run_worker()  # the first try, right after the save
    waits = []
    for _ in range(4):
        task = DBTaskResult.objects.filter(status=TaskResultStatus.READY).first()
        if task is None:
            break
        waits.append(round((task.run_after - task.enqueued_at).total_seconds()))
        let_deferred_tasks_fall_due()
        run_worker()

    assert waits == [30, 60]  # the first try, then two retries: the third was the last
    assert len(rate_calls(horde)) == 3 and waiting_tasks() == 0
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING
    assert generation_set.submission_error.startswith("Gave up after 3 attempts")
    assert GenerationRating.objects.count() == 1
    assert "did not answer after many tries" in client.get("/generations/").content.decode()
