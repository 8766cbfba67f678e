"""After the preflight, the API's real answers reach a page of another origin: success and every refusal a client
acts on (401 a bad key, 403 skip to the next image, 404, 429 wait) carry Access-Control-Allow-Origin, and expose
Retry-After, so that the page can read the status, the `{"message"}` and how long to wait."""

import uuid

import pytest
from django.test import Client

from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.cors_helpers import APP_ORIGIN, listed
from tests.rate_limit_helpers import wait_for_a_fresh_window
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

FROM_THE_APP = {"Origin": APP_ORIGIN}


def assert_readable(answer, status: int) -> None:
    assert answer.status_code == status, answer.content
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert listed(answer["Access-Control-Expose-Headers"]) == {"retry-after"}
    assert "Access-Control-Allow-Credentials" not in answer


def test_the_next_image_and_its_rating_are_readable(make_images):
    make_images(2)

    image = api_get("/api/v1/rating/new", apikey=DEMO_KEY, **FROM_THE_APP)
    rated = api_rate(image.json()["id"], {"rating": 8, "artifacts": 1}, apikey=DEMO_KEY, **FROM_THE_APP)

    assert_readable(image, 200)
    assert_readable(rated, 201)
    assert rated.json()["reward"] == 5
    assert_readable(api_get("/api/v1/datasets", **FROM_THE_APP), 200)


def test_a_call_without_a_key_gets_a_readable_401():
    answer = api_get("/api/v1/rating/new", **FROM_THE_APP)

    assert_readable(answer, 401)
    assert answer.json()["message"]


def test_rating_an_image_twice_gets_a_readable_403_skip(make_images):
    image = make_images(1)[0]
    assert api_rate(image.public_id, {"rating": 6}, apikey=DEMO_KEY).status_code == 201

    answer = api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY, **FROM_THE_APP)

    assert_readable(answer, 403)
    assert "already rated" in answer.json()["message"]


def test_an_image_with_all_its_ratings_gets_a_readable_403(make_images, settings):
    settings.RATINGS_PER_IMAGE = 1
    image = make_images(1)[0]
    assert api_rate(image.public_id, {"rating": 6}, apikey=SECOND_KEY).status_code == 201

    answer = api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY, **FROM_THE_APP)

    assert_readable(answer, 403)


def test_an_unknown_image_gets_a_readable_404():
    answer = api_rate(uuid.uuid4(), {"rating": 7}, apikey=DEMO_KEY, **FROM_THE_APP)

    assert_readable(answer, 404)
    assert answer.json()["message"]


def test_the_api_rate_limit_gets_a_readable_429_with_retry_after(make_images, settings):
    settings.API_REQUESTS_PER_MINUTE_PER_RATER = 1
    make_images(2)
    wait_for_a_fresh_window()
    assert api_get("/api/v1/rating/new", apikey=DEMO_KEY).status_code == 200

    answer = api_get("/api/v1/rating/new", apikey=DEMO_KEY, **FROM_THE_APP)

    assert_readable(answer, 429)
    assert 1 <= int(answer["Retry-After"]) <= 60


def test_the_flood_pause_gets_a_readable_429_with_retry_after(make_images, settings):
    settings.RATINGS_PER_MINUTE_MAX = 1
    settings.FLOOD_PAUSE_SECONDS = 90
    image = make_images(2)[0]
    assert api_rate(image.public_id, {"rating": 6}, apikey=DEMO_KEY).status_code == 201

    answer = api_get("/api/v1/rating/new", apikey=DEMO_KEY, **FROM_THE_APP)

    assert_readable(answer, 429)
    assert 60 < int(answer["Retry-After"]) <= 90
    assert "You can rate again" in answer.json()["message"]


def test_the_open_datasets_downloads_are_readable():
    assert_readable(Client().get("/api/v1/download/", headers=FROM_THE_APP), 200)
    assert_readable(Client().get("/api/v1/download/no-such-file.parquet", headers=FROM_THE_APP), 404)


def test_the_openapi_document_at_the_old_services_path_is_readable():
    answer = Client().get("/api/swagger.json", headers=FROM_THE_APP)

    assert_readable(answer, 200)
    assert answer.json()["paths"]
