"""Undoing a rating whose kudos are still pending cancels them: the ledger line goes, and the payment
that was scheduled for it pays nothing for it (over real HTTP to the stand-in Horde)."""

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.services import ledger_totals
from ratings_site.raters.models import Rater
from ratings_site.ratings.services import undo_rating
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page, run_due_payment

# Transactional: payments are scheduled on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_pending_line_is_deleted_and_the_payment_pays_nothing(login, make_images, horde):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image)
    assert KudosReward.objects.get().status == KudosReward.Status.PENDING
    rater = Rater.objects.get(horde_id=1001)

    undone = undo_rating(rater=rater)

    assert not KudosReward.objects.exists()
    assert undone.reward is not None and (undone.reward.amount, undone.reward.status) == (5, "cancelled")
    assert undone.kudos_note == "its 5 kudos were cancelled"
    assert ledger_totals(rater) == {"pending": 0, "paid": 0, "failed": 0, "cancelled": 0}

    run_due_payment()  # the payment scheduled by the rating runs

    assert horde.awards == []
    assert horde.balance("DemoRater#1001") == 1000


def test_only_the_undone_rating_is_cancelled_the_others_are_paid(login, make_images, horde):
    client = login(DEMO_KEY)
    kept, undone = make_images(2)
    rate_via_page(client, kept)
    rate_via_page(client, undone)

    undo_rating(rater=Rater.objects.get(horde_id=1001))
    run_due_payment()

    assert [a["amount"] for a in horde.awards] == [5]
    assert horde.balance("DemoRater#1001") == 1005
    assert list(KudosReward.objects.values_list("image", "status")) == [(kept.pk, KudosReward.Status.PAID)]


def test_undo_then_rating_the_image_again_while_unpaid_earns_it_once(login, make_images, horde):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=3)
    undo_rating(rater=Rater.objects.get(horde_id=1001))

    rate_via_page(client, image, rating=8)
    run_due_payment()

    line = KudosReward.objects.get()
    assert (line.rating.rating, line.image, line.status) == (8, image, KudosReward.Status.PAID)
    assert [a["amount"] for a in horde.awards] == [5]
    assert horde.balance("DemoRater#1001") == 1005


def test_a_rater_who_earns_nothing_undoes_without_a_ledger(login, make_images):
    client = login("0000000000")  # the anonymous key: ratings count, no kudos
    [image] = make_images(1)
    rate_via_page(client, image)

    undone = undo_rating(rater=Rater.objects.get(horde_id=0))

    assert undone.reward is None and undone.kudos_note == ""
    assert not KudosReward.objects.exists()
