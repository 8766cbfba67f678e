"""Captcha images: served at CAPTCHA_RATE, a right answer passes, a wrong one fails and says it was a check,
and CAPTCHA_FAILS_TIMEOUT failures pause the rater."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Dataset, Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import in_queue

CHECK_MESSAGE = "That image was a check: it asked you to rate it a 7."


@pytest.fixture
def make_captchas(db):
    def _make(count: int) -> list[Image]:
        pool, _ = Dataset.objects.get_or_create(slug="captcha-pool", defaults={"name": "Captchas", "public": False})
        return [
            Image.objects.create(
                dataset=pool,
                url=f"https://images.example.org/captcha/{uuid.uuid4().hex}.png",
                caption="RATE THIS IMAGE A 7",
                dedupe_key=uuid.uuid4().hex,
                is_captcha=True,
                captcha_answer=7,
            )
            for _ in range(count)
        ]

    return _make


@pytest.fixture
def captchas_always(settings):
    settings.CAPTCHA_RATE = 1.0
    settings.CAPTCHA_FAILS_TIMEOUT = 3
    return settings


def _shown_image_id(page: str) -> str | None:
    match = re.search(r'data-testid="image" data-image-id="([0-9a-f-]+)"', page)
    return match.group(1) if match else None


def _rate(client: Client, image: Image, rating: str, *, htmx: bool = False):
    token = csrf_token(client)
    url = f"/images/{image.public_id}/rate/"
    if htmx:
        return client.post(url, {"rating": rating}, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {"rating": rating, "csrfmiddlewaretoken": token})


def test_the_queue_serves_a_captcha_at_captcha_rate(login, make_images, make_captchas, captchas_always):
    make_images(3)
    (captcha,) = make_captchas(1)
    client = login(DEMO_KEY)

    page = client.get("/rate/").content.decode()

    assert _shown_image_id(page) == str(captcha.public_id)


def test_no_captcha_is_served_at_rate_zero(login, make_images, make_captchas, settings):
    settings.CAPTCHA_RATE = 0.0
    images = make_images(3)
    make_captchas(1)
    client = login(DEMO_KEY)

    page = client.get("/rate/").content.decode()

    assert _shown_image_id(page) in {str(image.public_id) for image in images}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_right_answer_passes_and_is_not_a_rating(login, make_images, make_captchas, captchas_always, htmx):
    make_images(1)
    (captcha,) = make_captchas(1)
    client = login(DEMO_KEY)

    response = _rate(client, captcha, "7", htmx=htmx)

    assert response.status_code == (200 if htmx else 302)
    answer = CaptchaAnswer.objects.get(image=captcha)
    assert (answer.answer, answer.passed) == (7, True)
    assert Rating.objects.count() == 0
    # It earns as a rating does (tests/test_captcha_passed_earns_kudos_once.py), but is not one.
    assert list(KudosReward.objects.values_list("image_id", "rating_id")) == [(captcha.pk, None)]
    captcha.refresh_from_db()
    assert (captcha.ratings_count, in_queue(captcha)) == (0, False)
    assert Rater.objects.get(horde_id=1001).paused_until is None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_wrong_answer_fails_and_says_it_was_a_check(login, make_images, make_captchas, captchas_always, htmx):
    make_images(1)
    (captcha,) = make_captchas(1)
    client = login(DEMO_KEY)

    response = _rate(client, captcha, "3", htmx=htmx)

    page = response.content.decode() if htmx else client.get(response["Location"]).content.decode()
    assert response.status_code == (200 if htmx else 302)
    assert CHECK_MESSAGE in page
    answer = CaptchaAnswer.objects.get(image=captcha)
    assert (answer.answer, answer.passed) == (3, False)
    assert Rating.objects.count() == 0
    assert KudosReward.objects.count() == 0
    assert Rater.objects.get(horde_id=1001).paused_until is None  # one miss is not a pause


def test_an_answered_captcha_is_not_served_again(login, make_images, make_captchas, captchas_always):
    images = make_images(2)
    (captcha,) = make_captchas(1)
    client = login(DEMO_KEY)
    _rate(client, captcha, "7")

    page = client.get("/rate/").content.decode()

    assert _shown_image_id(page) in {str(image.public_id) for image in images}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_repeated_failures_pause_the_rater(login, make_images, make_captchas, captchas_always, htmx):
    (image,) = make_images(1)
    captchas = make_captchas(3)
    client = login(DEMO_KEY)

    for captcha in captchas[:2]:
        assert _rate(client, captcha, "1", htmx=htmx).status_code in (200, 302)
        assert Rater.objects.get(horde_id=1001).paused_until is None
    third = _rate(client, captchas[2], "1", htmx=htmx)

    rater = Rater.objects.get(horde_id=1001)
    assert rater.paused_until is not None
    expected = timezone.now() + timedelta(minutes=captchas_always.CAPTCHA_PAUSE_MINUTES)
    assert abs((rater.paused_until - expected).total_seconds()) < 60
    at = timezone.localtime(rater.paused_until).strftime("%H:%M:%S") + " UTC"
    third_page = third.content.decode() if htmx else client.get(third["Location"]).content.decode()
    assert "You missed 3 check images" in third_page
    assert at in third_page

    refused = _rate(client, image, "8", htmx=htmx)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert f"You can rate again at {at}." in page
    assert Rating.objects.count() == 0
    assert KudosReward.objects.count() == 0
    image.refresh_from_db()
    assert image.ratings_count == 0

    rate_page = client.get("/rate/").content.decode()
    assert 'data-testid="paused"' in rate_page
    assert "Rating is paused." in rate_page
    assert at in rate_page
    assert _shown_image_id(rate_page) is None


def test_fewer_failures_than_the_limit_do_not_pause(login, make_images, make_captchas, captchas_always):
    (image,) = make_images(1)
    captchas = make_captchas(3)
    client = login(DEMO_KEY)
    _rate(client, captchas[0], "1")
    _rate(client, captchas[1], "1")
    _rate(client, captchas[2], "7")

    response = _rate(client, image, "8")

    assert response.status_code == 302
    assert Rating.objects.filter(image=image).count() == 1
