"""A client's stream of ratings does not ask the Horde's find_user for each: the rater a key stands for is
remembered for API_KEY_CACHE_SECONDS under the key's hash, never under the key."""

import pytest
from django.core.cache import cache

from ratings_site.horde.client import key_hash
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def _find_user_calls(horde) -> int:
    return sum(1 for request in horde.requests if request["path"].endswith("/find_user"))


def test_ten_calls_ask_the_horde_once(make_images, horde, settings):
    settings.FIND_USER_CACHE_SECONDS = 0  # only the API's own memory of the key is left to save the calls
    make_images(5)
    for _ in range(5):
        image_id = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()["id"]
        assert api_rate(image_id, {"rating": 6}, apikey=DEMO_KEY).status_code == 201

    assert _find_user_calls(horde) == 1


def test_the_cache_is_keyed_by_the_keys_hash(make_images, horde):
    make_images(1)
    api_get("/api/v1/rating/new", apikey=DEMO_KEY)

    assert cache.get("api-rater:" + key_hash(DEMO_KEY)) is not None
    assert cache.get("api-rater:" + DEMO_KEY) is None


def test_without_the_cache_every_call_asks_again(make_images, horde, settings):
    settings.FIND_USER_CACHE_SECONDS = 0
    settings.API_KEY_CACHE_SECONDS = 0
    make_images(3)
    for _ in range(3):
        api_get("/api/v1/rating/new", apikey=DEMO_KEY)

    assert _find_user_calls(horde) == 3
