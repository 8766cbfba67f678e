"""Kudos already paid (or being paid, or failed) are never clawed back when a rating is undone, and
rating the same image again never earns a second line: the Horde balance rises once."""

import pytest
from django.db import IntegrityError, transaction

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.services import undo_rating
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page, run_due_payment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid(login, make_images, horde):
    """DemoRater#1001 rated one image and was paid its 5 kudos through the stand-in Horde."""
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=6)
    run_due_payment()
    assert [a["amount"] for a in horde.awards] == [5]
    return client, image


def test_a_paid_line_stays_paid_detached_from_the_undone_rating(paid, horde):
    _client, image = paid

    undone = undo_rating(rater=Rater.objects.get(horde_id=1001))

    line = KudosReward.objects.get()
    assert (line.status, line.amount, line.rating, line.image) == (KudosReward.Status.PAID, 5, None, image)
    assert undone.kudos_note == "its 5 kudos were already paid and stay yours"
    assert horde.balance("DemoRater#1001") == 1005


def test_rating_the_image_again_writes_no_new_line_and_the_horde_pays_once(paid, horde):
    client, image = paid
    undo_rating(rater=Rater.objects.get(horde_id=1001))

    rate_via_page(client, image, rating=9)
    run_due_payment()

    line = KudosReward.objects.get()  # still the one line
    assert (line.status, line.image, line.rating.rating) == (KudosReward.Status.PAID, image, 9)  # on the new rating
    assert [a["amount"] for a in horde.awards] == [5]
    assert horde.balance("DemoRater#1001") == 1005


def test_undo_and_rate_again_twice_more_still_pays_once(paid, horde):
    client, image = paid
    rater = Rater.objects.get(horde_id=1001)
    for score in (2, 10):
        undo_rating(rater=rater)
        rate_via_page(client, image, rating=score)
        run_due_payment()

    assert KudosReward.objects.count() == 1
    assert [a["amount"] for a in horde.awards] == [5]
    assert horde.balance("DemoRater#1001") == 1005


@pytest.mark.parametrize(
    "status, note",
    [
        (KudosReward.Status.SENDING, "its 5 kudos are being paid and stay yours"),
        (KudosReward.Status.FAILED, "its 5 kudos stay on your ledger (their payment failed)"),
    ],
)
def test_a_line_being_paid_or_failed_is_kept_and_not_earned_again(login, make_images, horde, status, note):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image)
    KudosReward.objects.update(status=status)  # the payment task took it (sending), or the Horde refused it

    undone = undo_rating(rater=Rater.objects.get(horde_id=1001))
    rate_via_page(client, image)
    run_due_payment()

    assert undone.kudos_note == note
    assert list(KudosReward.objects.values_list("status", "image")) == [(status, image.pk)]
    assert horde.awards == []  # a sending line is never sent again automatically; a failed one waits for a moderator


def test_the_kudos_page_shows_the_detached_line_as_undone(paid):
    client, _image = paid
    undo_rating(rater=Rater.objects.get(horde_id=1001))

    html = client.get("/kudos/").content.decode()

    assert "(Test-Set, rating undone)" in html
    assert '<span class="status paid">paid</span>' in html


def test_the_database_refuses_a_second_line_for_the_same_rater_and_image(paid):
    _client, image = paid
    rater = Rater.objects.get(horde_id=1001)

    with pytest.raises(IntegrityError), transaction.atomic():
        KudosReward.objects.create(rater=rater, image=image, amount=5)
    KudosReward.objects.create(rater=rater, image=None, amount=5)  # lines for no image are not limited
