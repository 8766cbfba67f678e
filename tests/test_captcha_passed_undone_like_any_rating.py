"""Undo (the rate page's U) treats a passed check's answer as the rating it looks like: when it is the rater's
latest, within RATING_UNDO_MINUTES, it is taken back with the same words as a rating, its unpaid ledger line is
cancelled and the check is shown again; a line already paid stays and answering again earns nothing more (the
Horde pays once); after the window it is final, as a rating is. A failed check's answer is never undone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.datasets.models import Dataset
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.helpers import rate_via_page, run_due_payment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')
UNDONE = re.compile(r'data-testid="undone">(.*?)</p>', flags=re.S)


@pytest.fixture
def check(make_images):
    (check,) = make_images(1, dataset="checks", is_captcha=True, captcha_answer=7)
    Dataset.objects.filter(slug="checks").update(public=False)
    return check


def _undo(client):
    return client.post("/ratings/undo/", {}, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})


def test_undo_takes_back_a_passed_check_as_it_takes_back_a_rating(login, make_images, check):
    (image,) = make_images(1)
    rater_client, checked_client = login(DEMO_KEY), login(SECOND_KEY)
    rate_via_page(rater_client, image, rating=7)
    rate_via_page(checked_client, check, rating=7)

    rated, checked = _undo(rater_client), _undo(checked_client)

    assert (rated.status_code, checked.status_code) == (200, 200)
    said = UNDONE.search(checked.content.decode()).group(1)
    assert said == UNDONE.search(rated.content.decode()).group(1)
    assert said.endswith("its 5 kudos were cancelled. Rate the image again, or skip it.")
    assert SHOWN.search(checked.content.decode()).group(1) == str(check.public_id)
    assert not CaptchaAnswer.objects.exists()
    assert not KudosReward.objects.exists()


def test_a_paid_check_line_stays_and_answering_again_is_never_paid_twice(login, check, horde):
    client = login(DEMO_KEY)
    rate_via_page(client, check, rating=7)
    run_due_payment()

    undone = UNDONE.search(_undo(client).content.decode()).group(1)
    rate_via_page(client, check, rating=7)
    run_due_payment()

    assert "its 5 kudos were already paid and stay yours" in undone
    line = KudosReward.objects.get()
    assert (line.status, line.image_id, line.rating_id) == (KudosReward.Status.PAID, check.pk, None)
    assert [a["amount"] for a in horde.awards] == [5]
    assert CaptchaAnswer.objects.get().passed


def test_after_the_window_a_passed_check_is_final_as_a_rating_is(login, check, settings):
    client = login(DEMO_KEY)
    rate_via_page(client, check, rating=7)
    CaptchaAnswer.objects.update(created_at=timezone.now() - timedelta(minutes=settings.RATING_UNDO_MINUTES + 1))

    response = _undo(client)

    assert response.status_code == 403
    assert "Ratings can be changed or undone for" in response.content.decode()
    assert CaptchaAnswer.objects.exists() and KudosReward.objects.exists()


def test_undo_takes_back_only_the_latest_of_a_check_and_a_rating(login, make_images, check):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    rate_via_page(client, check, rating=7)
    rate_via_page(client, image, rating=4)

    first = _undo(client)
    second = _undo(client)

    assert SHOWN.search(first.content.decode()).group(1) == str(image.public_id)
    assert SHOWN.search(second.content.decode()).group(1) == str(check.public_id)
    assert not Rating.objects.exists() and not CaptchaAnswer.objects.exists()


def test_a_failed_check_is_never_undone(login, make_images, check):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    rate_via_page(client, image, rating=4)
    rate_via_page(client, check, rating=3)

    response = _undo(client)

    assert SHOWN.search(response.content.decode()).group(1) == str(image.public_id)  # the rating before it
    assert list(CaptchaAnswer.objects.values_list("answer", "passed")) == [(3, False)]
    assert Rater.objects.get(horde_id=1001).captcha_answers.count() == 1
