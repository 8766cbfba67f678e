"""A passed check image earns by the kudos rule of a rating, on the same ledger: one "rating" line for the check's
image (it has no rating row: a check answer is not a rating), earned once however often the answer is sent, and
paid by the payment task in the rater's batch like any other line. A failed check earns nothing."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from ratings_site.datasets.models import Dataset
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import rate_via_page, run_due_payment
from tests.rating_api_helpers import api_rate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]


@pytest.fixture
def check(make_images):
    (check,) = make_images(1, dataset="checks", is_captcha=True, captcha_answer=7)
    Dataset.objects.filter(slug="checks").update(public=False)
    return check


def test_a_passed_check_writes_one_rating_line_for_its_image(login, check, settings):
    client = login(DEMO_KEY)

    rate_via_page(client, check, rating=7)

    line = KudosReward.objects.get()
    assert (line.kind, line.image_id, line.rating_id) == (KudosReward.Kind.RATING, check.pk, None)
    assert (line.amount, line.status, line.reason) == (settings.KUDOS_PER_RATING, "pending", "Rating a dataset image")
    assert line.rater.horde_id == 1001


def test_the_same_answer_sent_twice_earns_once(login, check, settings):
    client = login(DEMO_KEY)
    rate_via_page(client, check, rating=7)

    rate_via_page(client, check, rating=7)  # a double click
    client.post(f"/images/{check.public_id}/rate/", {"rating": "7"},
                headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})
    again = api_rate(check.public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert again.status_code == 403
    assert KudosReward.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_failed_check_earns_nothing(login, check):
    client = login(DEMO_KEY)

    rate_via_page(client, check, rating=3)

    assert not KudosReward.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_it_is_paid_in_the_raters_batch_like_any_line(login, make_images, check, horde, settings):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    rate_via_page(client, image)
    rate_via_page(client, check, rating=7)
    assert DBTaskResult.objects.count() == 1  # the check's line rides on the rating's payment

    run_due_payment()

    per_rating = settings.KUDOS_PER_RATING
    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 2 * per_rating)]
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PAID}


def test_a_passed_check_alone_schedules_its_payment_and_is_paid_once(login, check, horde, settings):
    client = login(DEMO_KEY)
    rate_via_page(client, check, rating=7)

    run_due_payment()
    rate_via_page(client, check, rating=7)
    run_due_payment()

    assert [a["amount"] for a in horde.awards] == [settings.KUDOS_PER_RATING]
    assert KudosReward.objects.get().status == KudosReward.Status.PAID
    assert horde.balance("DemoRater#1001") == 1000 + settings.KUDOS_PER_RATING
