"""The anonymous key (0000000000) may rate through the API and earns nothing. Each client address is one lasting
anonymous rater (so it is never served an image it rated, and cannot rate one twice), told apart by a keyed
hash, never the address itself; two addresses are two raters."""

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import ANONYMOUS_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_an_anonymous_rating_is_stored_and_pays_nothing(make_images):
    [image] = make_images(1)

    response = api_rate(image.public_id, {"rating": 9}, apikey=ANONYMOUS_KEY, address="203.0.113.7")

    assert response.status_code == 201
    assert response.json()["reward"] == 0
    assert "kudos" not in response.json()["message"]
    rating = Rating.objects.get()
    assert rating.rater.horde_id == 0
    assert not KudosReward.objects.exists()


def test_one_address_is_one_anonymous_rater_that_never_rates_twice(make_images):
    images = make_images(2)
    first = api_get("/api/v1/rating/new", apikey=ANONYMOUS_KEY, address="203.0.113.7").json()["id"]
    assert api_rate(first, {"rating": 5}, apikey=ANONYMOUS_KEY, address="203.0.113.7").status_code == 201

    second = api_get("/api/v1/rating/new", apikey=ANONYMOUS_KEY, address="203.0.113.7").json()["id"]
    again = api_rate(first, {"rating": 5}, apikey=ANONYMOUS_KEY, address="203.0.113.7")

    assert second != first
    assert again.status_code == 403
    assert {first, second} == {str(image.public_id) for image in images}
    assert Rater.objects.filter(horde_id=0).count() == 1


def test_two_addresses_are_two_anonymous_raters(make_images):
    [image] = make_images(1)

    for address in ("203.0.113.7", "198.51.100.9"):
        assert api_rate(image.public_id, {"rating": 5}, apikey=ANONYMOUS_KEY, address=address).status_code == 201

    raters = Rater.objects.filter(horde_id=0)
    assert raters.count() == 2
    for rater in raters:
        assert len(rater.anonymous_client) == 64
        assert "203.0.113.7" not in rater.anonymous_client and "198.51.100.9" not in rater.anonymous_client


def test_the_anonymous_key_still_may_not_register_generation_sets():
    from tests.api_helpers import post_json, registration

    response = post_json("/api/v1/generations", registration(), apikey=ANONYMOUS_KEY)

    assert response.status_code == 403
    assert "anonymous key" in response.json()["message"]
