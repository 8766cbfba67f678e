"""POST /api/v1/rating/<image_id>: 201 {"reward", "message"} with the rating stored (its Client-Agent too) and its
ledger line written; 400 for a bad rating, artifacts or body; 403 when already rated or the image is full
(clients skip to the next image); 404 for an unknown, malformed or hidden image id; 429 with Retry-After while
paused. Every refusal is {"message"} and stores nothing."""

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.api_helpers import CLIENT_AGENT
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_a_rating_is_stored_and_answered_201(make_images, settings):
    settings.KUDOS_PER_RATING = 5
    [image] = make_images(1)

    response = api_rate(image.public_id, {"rating": 8, "artifacts": 1}, apikey=DEMO_KEY)

    assert response.status_code == 201
    assert response.json() == {"reward": 5, "message": "Rating saved: 8 · Great, Tiny flaws. +5 kudos."}
    stored = Rating.objects.get(image=image)
    assert (stored.rating, stored.artifacts, stored.client_agent) == (8, 1, CLIENT_AGENT)
    assert stored.rater.horde_id == 1001
    assert KudosReward.objects.get(rating=stored).amount == 5
    image.refresh_from_db()
    assert (image.ratings_count, image.rating_sum) == (1, 8)


def test_artifacts_are_optional(make_images):
    [image] = make_images(1)

    response = api_rate(image.public_id, {"rating": 3}, apikey=DEMO_KEY)

    assert response.status_code == 201
    assert Rating.objects.get(image=image).artifacts is None


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0}, {"rating": 11}, {"rating": "seven"}, {"rating": 7.5}, {"rating": None}, {},
        {"rating": 7, "artifacts": 6}, {"rating": 7, "artifacts": -1}, {"rating": 7, "artifacts": "x"},
        {"rating": True}, {"rating": [7]}, [7], "7", 7, None,
    ],
)
def test_bad_ratings_and_bodies_are_400_and_store_nothing(make_images, body):
    [image] = make_images(1)

    response = api_rate(image.public_id, body, apikey=DEMO_KEY)

    assert response.status_code == 400, response.content
    assert response.json()["message"]
    assert not Rating.objects.exists()


def test_malformed_json_is_400(make_images):
    [image] = make_images(1)

    response = api_rate(image.public_id, None, apikey=DEMO_KEY, raw=b'{"rating": 7')

    assert response.status_code == 400
    assert response.json()["message"]


def test_rating_the_same_image_twice_is_403(make_images):
    [image] = make_images(1)
    assert api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY).status_code == 201

    again = api_rate(image.public_id, {"rating": 2}, apikey=DEMO_KEY)

    assert again.status_code == 403
    assert "already rated" in again.json()["message"]
    assert list(Rating.objects.values_list("rating", flat=True)) == [7]


def test_an_image_with_all_its_ratings_is_403(make_images, settings):
    settings.RATINGS_PER_IMAGE = 1
    [image] = make_images(1)
    assert api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY).status_code == 201

    response = api_rate(image.public_id, {"rating": 7}, apikey=SECOND_KEY)

    assert response.status_code == 403
    assert "all the ratings it needs" in response.json()["message"]


# An id no image has: fixed, not drawn at import, so that every pytest-xdist worker collects the same test ids.
UNKNOWN_ID = "9b2f6c1e-4d7a-4f3b-8e25-61c0a7d9e3b4"


@pytest.mark.parametrize("image_id", [UNKNOWN_ID, "not-a-uuid", "12345"])
def test_an_unknown_or_malformed_image_id_is_404(image_id):
    response = api_rate(image_id, {"rating": 7}, apikey=DEMO_KEY)

    assert response.status_code == 404
    assert "No image has this id" in response.json()["message"]


def test_a_hidden_image_is_404(make_images):
    [image] = make_images(1, hidden=True)

    response = api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_a_paused_rater_gets_429_with_retry_after(make_images, settings):
    settings.RATINGS_PER_MINUTE_MAX = 2
    settings.FLOOD_PAUSE_SECONDS = 90
    images = make_images(3)
    for image in images[:2]:
        assert api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY).status_code == 201

    response = api_rate(images[2].public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert response.status_code == 429
    assert 80 <= int(response["Retry-After"]) <= 90
    assert "You can rate again at" in response.json()["message"]
    assert Rating.objects.count() == 2
    # The queue says the same while the pause lasts.
    queued = api_get("/api/v1/rating/new", apikey=DEMO_KEY)
    assert queued.status_code == 429
    assert int(queued["Retry-After"]) > 0


def test_an_unknown_key_is_401_and_stores_nothing(make_images):
    [image] = make_images(1)

    response = api_rate(image.public_id, {"rating": 7}, apikey="not-a-real-key-123")

    assert response.status_code == 401
    assert "does not know this API key" in response.json()["message"]
    assert not Rating.objects.exists()
