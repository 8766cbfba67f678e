"""Each rating keeps the rater's Horde kudos of its moment, as find_user said at the login or the API key lookup:
the Horde is never asked per rating, and a later change of the rater's kudos leaves earlier ratings as they were."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ratings_site.demo.standin import horde_user
from ratings_site.ratings.models import Rating
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def _find_user_calls(horde) -> int:
    return sum(1 for request in horde.requests if request["path"].endswith("/find_user"))


def _rate_next(apikey: str, rating: int = 7) -> Rating:
    image_id = api_get("/api/v1/rating/new", apikey=apikey).json()["id"]
    assert api_rate(image_id, {"rating": rating}, apikey=apikey).status_code == 201
    return Rating.objects.get(image__public_id=image_id, rater__horde_id__isnull=False, rating=rating)


def test_an_api_rating_keeps_what_find_user_said_without_asking_per_rating(make_images, horde):
    make_images(4)
    horde.add_user(DEMO_KEY, horde_user("DemoRater#1001", 1001, kudos=4321.4))

    ratings = [_rate_next(DEMO_KEY, rating) for rating in (3, 5, 7)]

    assert [r.rater_kudos for r in ratings] == [4321, 4321, 4321]
    assert _find_user_calls(horde) == 1


def test_a_later_change_of_kudos_reaches_later_ratings_only(make_images, horde):
    make_images(3)
    horde.add_user(DEMO_KEY, horde_user("DemoRater#1001", 1001, kudos=100.0))
    first = _rate_next(DEMO_KEY, 4)

    horde.add_user(DEMO_KEY, horde_user("DemoRater#1001", 1001, kudos=250_000.6))
    cache.clear()  # the key is looked up again, as it is once API_KEY_CACHE_SECONDS have passed
    second = _rate_next(DEMO_KEY, 6)

    first.refresh_from_db()
    assert (first.rater_kudos, second.rater_kudos) == (100, 250_001)
    assert second.rater.horde_kudos == 250_001


def test_a_page_rating_keeps_the_kudos_of_the_login(make_images, horde, login):
    image = make_images(1)[0]
    horde.add_user(DEMO_KEY, horde_user("DemoRater#1001", 1001, kudos=777.0))
    client = login(DEMO_KEY)
    calls_after_login = _find_user_calls(horde)

    response = client.post(
        f"/images/{image.public_id}/rate/",
        {"rating": "8", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )

    assert response.status_code in (200, 302)
    assert Rating.objects.get(image=image).rater_kudos == 777
    assert _find_user_calls(horde) == calls_after_login


def test_an_anonymous_rating_keeps_the_anonymous_accounts_kudos(make_images, horde):
    make_images(1)
    image_id = api_get("/api/v1/rating/new", apikey=ANONYMOUS_KEY).json()["id"]

    assert api_rate(image_id, {"rating": 5}, apikey=ANONYMOUS_KEY).status_code == 201

    # The API's anonymous rater is made without asking the Horde: its kudos are not known (the export says -50).
    assert Rating.objects.get(image__public_id=image_id).rater_kudos is None
