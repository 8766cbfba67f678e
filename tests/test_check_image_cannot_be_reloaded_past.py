"""A check image is recorded as served the moment a card shows it, and it is the rater's next card wherever they go
until it is answered: a reload, another dataset's page, another tab, the API. So reloading past it (which used to
record nothing) gets the rater nowhere, and one left unanswered (UNANSWERED_CHECK_GRACE) counts as a miss."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, ServedImage
from ratings_site.ratings.services import UNANSWERED_CHECK_GRACE, missed_checks
from tests.check_helpers import card_form, plain_checks, shown_on
from tests.conftest import DEMO_KEY, csrf_token
from tests.rating_api_helpers import api_get


@pytest.fixture
def served_check(login, make_images, settings):
    make_images(10)
    make_images(3, dataset="other-set")
    [check] = plain_checks(1)
    client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 1.0
    html = client.get("/rate/").content.decode()
    assert shown_on(html) == check
    settings.CAPTCHA_RATE = 0.0
    return client, check, html


def test_a_served_check_left_unanswered_counts_as_a_miss_until_answered(served_check):
    client, check, html = served_check
    rater = Rater.objects.get(horde_id=1001)
    served = ServedImage.objects.filter(rater=rater, image=check, is_check=True)

    assert served.exists()
    assert missed_checks(rater) == 0  # on screen: the rater is looking at it
    served.update(served_at=timezone.now() - UNANSWERED_CHECK_GRACE - timedelta(seconds=1))
    assert missed_checks(rater) == 1  # left

    headers = {"HX-Request": "true", "X-CSRFToken": csrf_token(client)}
    answer = client.post(f"/images/{check.public_id}/rate/", card_form(html, check), headers=headers)

    assert answer.status_code == 200
    assert missed_checks(rater) == 0
    assert CaptchaAnswer.objects.get(rater=rater, image=check).passed
    assert not ServedImage.objects.filter(rater=rater, image=check).exists()


def test_reloading_or_going_elsewhere_shows_the_same_check_again(served_check):
    client, check, _ = served_check

    for path in ("/rate/", "/rate/", "/rate/other-set/"):
        assert shown_on(client.get(path).content.decode()) == check, path
    served = api_get("/api/v1/rating/new", apikey=DEMO_KEY)
    assert served.json()["id"] == str(check.public_id)


def test_skipping_a_served_check_is_a_miss_and_the_queue_goes_on(served_check):
    client, check, _ = served_check
    rater = Rater.objects.get(horde_id=1001)

    client.post(f"/images/{check.public_id}/skip/", {"csrfmiddlewaretoken": csrf_token(client)})

    assert missed_checks(rater) == 1
    assert not CaptchaAnswer.objects.get(rater=rater, image=check).passed
    assert shown_on(client.get("/rate/").content.decode()) != check
