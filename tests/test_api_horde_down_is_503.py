"""When the Horde does not answer find_user for a key the API has not seen lately, the call is 503 {"message"}
with Retry-After, never a 500; a key it already knows keeps working."""

import pytest

from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_an_unseen_key_while_the_horde_is_down_is_503(make_images, horde):
    [image] = make_images(1)
    horde.fail("/v2/find_user", times=10, status=503)

    for response in (api_get("/api/v1/rating/new", apikey=DEMO_KEY), api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY)):
        assert response.status_code == 503
        assert "Horde is not answering" in response.json()["message"]
        assert int(response["Retry-After"]) > 0


def test_a_known_key_keeps_rating_while_the_horde_is_down(make_images, horde):
    [image] = make_images(1)
    assert api_get("/api/v1/rating/new", apikey=SECOND_KEY).status_code == 200
    horde.fail("/v2/find_user", times=10, status=503)

    response = api_rate(image.public_id, {"rating": 7}, apikey=SECOND_KEY)

    assert response.status_code == 201
