"""No Horde call in a request that does not need one (issue 24): once the API remembers a key (API_KEY_CACHE_SECONDS),
a rater's rating/new and rating/<id> never call the Horde, a Horde moderator's neither (a moderator rates as anyone
does; only the moderators' calls ask find_user again, tests/test_demoted_moderator_loses_the_moderators_api_calls_
within_the_admins_bound.py), and the rate page's cycle never calls it at all."""

from __future__ import annotations

import time

import pytest

from tests.conftest import DEMO_KEY, csrf_token
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]

MODERATOR_KEY = "demo-moderator-0003"


@pytest.fixture(autouse=True)
def short_find_user_cache(settings):
    settings.FIND_USER_CACHE_SECONDS = 1  # a moderator's rights would be asked about again after this
    settings.API_KEY_CACHE_SECONDS = 300


def _horde_calls(horde) -> int:
    return len(horde.requests)


@pytest.mark.parametrize("key", [DEMO_KEY, MODERATOR_KEY])
def test_a_remembered_keys_rating_calls_never_call_the_horde(horde, make_images, key):
    make_images(4)
    image_id = api_get("/api/v1/rating/new", apikey=key).json()["id"]  # resolves the key: find_user
    assert api_rate(image_id, {"rating": 6}, apikey=key).status_code == 201
    before = _horde_calls(horde)

    time.sleep(1.1)  # past find_user's cache
    for rating in (7, 8):
        image_id = api_get("/api/v1/rating/new", apikey=key).json()["id"]
        assert api_rate(image_id, {"rating": rating}, apikey=key).status_code == 201

    assert _horde_calls(horde) == before


def test_the_rate_page_cycle_never_calls_the_horde(horde, login, make_images):
    client = login(DEMO_KEY)
    images = make_images(3)
    before = _horde_calls(horde)

    assert client.get("/rate/").status_code == 200
    for image in images:
        response = client.post(
            f"/images/{image.public_id}/rate/",
            {"rating": "6", "csrfmiddlewaretoken": csrf_token(client)},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200

    assert _horde_calls(horde) == before
