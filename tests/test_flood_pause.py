"""Rating RATINGS_PER_MINUTE_MAX images in a minute pauses the rater, humanely: the rating that reaches the
limit is kept, the pause is said once with a countdown, and the card comes back by itself when it ends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token

PATHS = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])


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


def _page_after(client: Client, response, *, htmx: bool) -> str:
    return response.content.decode() if htmx else client.get(response["Location"]).content.decode()


@PATHS
def test_the_rating_that_reaches_the_limit_is_kept_and_starts_the_pause(login, make_images, three_a_minute, htmx):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:2]:
        assert _rate(client, image, htmx=htmx).status_code == (200 if htmx else 302)

    third = _rate(client, images[2], "8", htmx=htmx)

    assert third.status_code == (200 if htmx else 302)
    page = _page_after(client, third, htmx=htmx)
    assert "Saved: 8 · Great · +5 kudos" in page
    assert 'data-testid="paused"' in page
    assert Rating.objects.filter(image=images[2], rating=8).exists()
    assert Rating.objects.count() == 3
    assert KudosReward.objects.count() == 3
    assert Rater.objects.get(horde_id=1001).paused_until is not None


@PATHS
def test_a_rating_during_the_pause_is_refused_with_the_message_once(login, make_images, three_a_minute, htmx):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:3]:
        _rate(client, image, htmx=htmx)

    refused = _rate(client, images[3], htmx=htmx)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert page.count("Rating is paused.") == 1
    assert page.count("You rated 3 images in the last minute; the limit is 3.") == 1
    rater = Rater.objects.get(horde_id=1001)
    at = timezone.localtime(rater.paused_until).strftime("%H:%M:%S") + " UTC"
    assert f"You can rate again at {at}." in page
    assert Rating.objects.count() == 3
    images[3].refresh_from_db()
    assert (images[3].ratings_count, images[3].rating_sum) == (0, 0)


def test_the_paused_card_counts_down_and_asks_for_itself_when_the_pause_ends(login, make_images, three_a_minute):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:3]:
        _rate(client, image)
    rater = Rater.objects.get(horde_id=1001)
    seconds_left = (rater.paused_until - timezone.now()).total_seconds()

    page = client.get("/rate/").content.decode()

    paused = re.search(r'<div[^>]*data-testid="paused"[^>]*>', page).group(0)
    assert f'data-until-ms="{int(rater.paused_until.timestamp() * 1000)}"' in paused
    delay = int(re.search(r'hx-trigger="load delay:(\d+)s"', paused).group(1))
    assert seconds_left <= delay <= seconds_left + 2
    assert 'hx-get="/rate/"' in paused
    assert re.search(r'data-testid="countdown">\d+ s<', page)


def test_the_rater_is_paused_for_flood_pause_seconds(login, make_images, three_a_minute):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:3]:
        _rate(client, image)

    rater = Rater.objects.get(horde_id=1001)
    expected = timezone.now() + timedelta(seconds=three_a_minute.FLOOD_PAUSE_SECONDS)
    assert abs((rater.paused_until - expected).total_seconds()) < 30
    assert "the limit is 3" in rater.pause_reason


def test_the_card_comes_back_when_the_pause_is_over(login, make_images, three_a_minute):
    images = make_images(5)
    client = login(DEMO_KEY)
    for image in images[:3]:
        _rate(client, image)
    Rater.objects.filter(horde_id=1001).update(paused_until=timezone.now() - timedelta(seconds=1))
    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    card = client.get("/rate/", headers={"HX-Request": "true"}).content.decode()

    assert "Rating is paused." not in card
    assert re.search(r'data-image-id="([0-9a-f-]{36})"', card).group(1) in {str(i.public_id) for i in images[3:]}
    assert _rate(client, images[3]).status_code == 302


def test_the_limit_is_per_rater(login, make_images, three_a_minute):
    images = make_images(5)
    first = login(DEMO_KEY)
    for image in images[:3]:
        _rate(first, image)
    second = login(SECOND_KEY)

    response = _rate(second, images[4])

    assert response.status_code == 302
    assert Rating.objects.filter(rater__horde_id=1006).count() == 1
    assert Rater.objects.get(horde_id=1006).paused_until is None


def test_ratings_older_than_a_minute_do_not_count(login, make_images, three_a_minute):
    images = make_images(4)
    client = login(DEMO_KEY)
    for image in images[:2]:
        _rate(client, image)
    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    response = _rate(client, images[2])

    assert response.status_code == 302
    assert Rating.objects.count() == 3
    assert Rater.objects.get(horde_id=1001).paused_until is None


def test_without_javascript_the_paused_page_reloads_itself_when_the_pause_ends(login, make_images, three_a_minute):
    images = make_images(4)
    client = login(DEMO_KEY)
    for image in images[:3]:
        _rate(client, image)
    rater = Rater.objects.get(horde_id=1001)
    seconds_left = (rater.paused_until - timezone.now()).total_seconds()

    page = client.get("/rate/").content.decode()

    refresh = int(re.search(r'<noscript><meta http-equiv="refresh" content="(\d+)"></noscript>', page).group(1))
    assert seconds_left <= refresh <= seconds_left + 2
    assert "<noscript>" not in client.get("/kudos/").content.decode()
