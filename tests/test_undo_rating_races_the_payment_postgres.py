"""An undo and the payment task racing for the same pending line: the line is either cancelled and never
sent, or taken by the payment and kept, never both. Real row locks need PostgreSQL, so this runs only there."""

import threading
import time

import pytest
from django.db import connection, transaction

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import pay_rewards_for
from ratings_site.raters.models import Rater
from ratings_site.ratings.services import rate_image, undo_rating

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real row locks"),
    pytest.mark.django_db(transaction=True),
]


def _in_thread(work) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def pending(make_images, settings):
    """A rater with one rating and its pending ledger line."""
    settings.CAPTCHA_RATE = 0
    rater = Rater.objects.create(username="Racer#9300", horde_id=9300)
    [image] = make_images(1)
    rate_image(rater=rater, image=image, rating=7)
    return rater, KudosReward.objects.get()


def test_the_payment_task_skips_a_line_an_undo_holds_and_pays_nothing(pending, horde):
    rater, line = pending
    undone, release = threading.Event(), threading.Event()
    results = {}

    def undo_and_hold():
        with transaction.atomic():
            results["undone"] = undo_rating(rater=rater)
            undone.set()
            release.wait(timeout=30)  # still uncommitted: the line is locked and deleted, not yet for others

    undoer = _in_thread(undo_and_hold)
    assert undone.wait(timeout=30)
    results["payment"] = pay_rewards_for(rater.pk)  # the payment task, while the undo is in flight
    release.set()
    undoer.join(timeout=30)

    assert results["payment"].lines == 0 and results["payment"].paid == 0
    assert results["undone"].reward.status == "cancelled"
    assert not KudosReward.objects.exists()
    assert pay_rewards_for(rater.pk).lines == 0
    assert horde.awards == []


def test_an_undo_waits_for_a_line_the_payment_task_took_and_keeps_it(pending, horde):
    rater, line = pending
    claimed, done = threading.Event(), {}

    def take_for_payment():
        # What pay_rewards_for's first transaction does: lock the pending lines, mark them sending.
        with transaction.atomic():
            taken = list(KudosReward.objects.select_for_update(skip_locked=True).filter(pk=line.pk))
            assert taken
            claimed.set()
            time.sleep(0.5)  # the undo is now waiting for this lock
            KudosReward.objects.filter(pk=line.pk).update(status=KudosReward.Status.SENDING)
            done["committed_at"] = time.monotonic()

    payer = _in_thread(take_for_payment)
    assert claimed.wait(timeout=30)
    undone = undo_rating(rater=rater)
    finished_at = time.monotonic()
    payer.join(timeout=30)

    assert finished_at >= done["committed_at"]  # it waited for the payment's lock
    assert undone.reward.status == KudosReward.Status.SENDING
    line.refresh_from_db()
    assert (line.status, line.rating_id, line.image_id) == (KudosReward.Status.SENDING, None, line.image_id)
    assert line.image_id is not None
