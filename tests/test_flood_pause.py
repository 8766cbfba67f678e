"""Rating faster than RATINGS_PER_MINUTE_MAX: the next rating is refused (429) and the rater is paused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token


@pytest.fixture
def three_a_minute(settings):
    settings.RATINGS_PER_MINUTE_MAX = 3
    settings.CAPTCHA_RATE = 0.0
    return settings


def _rate(client: Client, image: Image, rating: str = "6", *, htmx: bool = False):
    token = csrf_token(client)
    url = f"/images/{image.public_id}/rate/"
    if htmx:
        return client.post(url, {"rating": rating}, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {"rating": rating, "csrfmiddlewaretoken": token})


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_rating_over_the_limit_is_refused_and_nothing_stored(login, make_images, three_a_minute, htmx):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:3]:
        assert _rate(client, image, htmx=htmx).status_code == (200 if htmx else 302)

    refused = _rate(client, images[3], htmx=htmx)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "You rated 3 images in the last minute; the limit is 3." in page
    rater = Rater.objects.get(horde_id=1001)
    at = timezone.localtime(rater.paused_until).strftime("%H:%M:%S") + " UTC"
    assert f"You can rate again at {at}." in page
    assert Rating.objects.count() == 3
    assert KudosReward.objects.count() == 3
    images[3].refresh_from_db()
    assert (images[3].ratings_count, images[3].rating_sum) == (0, 0)
    assert not Rating.objects.filter(image=images[3]).exists()


def test_the_rater_is_paused_for_flood_pause_seconds(login, make_images, three_a_minute):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:4]:
        _rate(client, image)

    rater = Rater.objects.get(horde_id=1001)
    expected = timezone.now() + timedelta(seconds=three_a_minute.FLOOD_PAUSE_SECONDS)
    assert rater.paused_until is not None
    assert abs((rater.paused_until - expected).total_seconds()) < 30
    assert "the limit is 3" in rater.pause_reason

    page = client.get("/rate/").content.decode()
    assert 'data-testid="paused"' in page
    assert "Rating is paused." in page

    again = _rate(client, images[4])
    assert again.status_code == 429
    assert Rating.objects.count() == 3


def test_the_limit_is_per_rater(login, make_images, three_a_minute):
    images = make_images(5)
    first = login(DEMO_KEY)
    for image in images[:4]:
        _rate(first, image)
    second = login(SECOND_KEY)

    response = _rate(second, images[4])

    assert response.status_code == 302
    assert Rating.objects.filter(rater__horde_id=1006).count() == 1


def test_ratings_older_than_a_minute_do_not_count(login, make_images, three_a_minute):
    images = make_images(4)
    client = login(DEMO_KEY)
    for image in images[:3]:
        _rate(client, image)
    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    response = _rate(client, images[3])

    assert response.status_code == 302
    assert Rating.objects.count() == 4
    assert Rater.objects.get(horde_id=1001).paused_until is None
