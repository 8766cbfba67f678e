"""Every moderators' answer (JSON) parses with horde-sdk's own response models (`horde_sdk.ratings_api.apimodels`,
horde-sdk==0.18.0 as pinned in requirements.txt): rated and unrated images, ratings with and without artifacts,
an image whose ratings are not counted. `average` is a float everywhere, 0.0 for an image without counted
ratings (horde-sdk cannot read null there).

Each answer is parsed three ways: as a client does (`model_validate(response.json())`), strictly from the JSON
text (no string for a number, no float for an int), and with nothing the model does not know."""

from __future__ import annotations

import pytest
from django.test import Client
from horde_sdk.ratings_api.apimodels import (
    ImageRatingsResponse,
    UserCheckResponse,
    UserRatingsResponse,
    UserValidateResponse,
)
from pydantic import BaseModel

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.rating_api_helpers import api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

MODERATOR_KEY = "demo-moderator-0003"


def parsed(model: type[BaseModel], path: str) -> BaseModel:
    response = Client().get(path, headers={"apikey": MODERATOR_KEY})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    answer = model.model_validate(response.json())
    model.model_validate_json(response.content, strict=True)
    _assert_nothing_unknown(answer)
    return answer


def _assert_nothing_unknown(answer: BaseModel) -> None:
    """No field the SDK's model lacks (its `extra="forbid"` holds only when TESTS_ONGOING is set at import)."""
    assert not answer.model_extra, answer.model_extra
    for value in answer.__dict__.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                _assert_nothing_unknown(item)


@pytest.fixture
def rated(make_images):
    """Three images: one rated by two raters (artifacts given by one), one rated once without artifacts, one
    never rated; and one rating whose image's counters do not count it (as an imported or recounted image's)."""
    both, once, unrated, uncounted = make_images(4)
    assert api_rate(both.public_id, {"rating": 8, "artifacts": 1}, apikey=DEMO_KEY).status_code == 201
    assert api_rate(both.public_id, {"rating": 5}, apikey=SECOND_KEY).status_code == 201
    assert api_rate(once.public_id, {"rating": 3}, apikey=DEMO_KEY).status_code == 201
    rater = Rater.objects.get(horde_id=1001)
    Rating.objects.create(rater=rater, image=uncounted, rating=9, artifacts=0)
    return {"both": both, "once": once, "unrated": unrated, "uncounted": uncounted, "rater": rater}


def test_image_ratings_of_a_rated_image_parse(rated):
    answer = parsed(ImageRatingsResponse, f"/api/v1/image/ratings/{rated['both'].public_id}")

    assert (answer.total, answer.average, answer.times_rated) == (2, 6.5, 2)
    assert answer.image_id == rated["both"].public_id
    assert [(row.rating, row.artifacts) for row in answer.ratings] == [(8, 1), (5, None)]


def test_image_ratings_of_an_unrated_image_parse_with_an_average_of_zero(rated):
    answer = parsed(ImageRatingsResponse, f"/api/v1/image/ratings/{rated['unrated'].public_id}")

    assert (answer.total, answer.average, answer.times_rated, answer.ratings) == (0, 0.0, 0, [])
    assert isinstance(answer.average, float)


def test_image_ratings_of_an_image_without_counted_ratings_parse(rated):
    answer = parsed(ImageRatingsResponse, f"/api/v1/image/ratings/{rated['uncounted'].public_id}")

    assert (answer.total, answer.average, answer.times_rated) == (1, 0.0, 0)


@pytest.mark.parametrize("query", ["", "?minutes=1&divergence=0", "?minutes=525600&divergence=9"])
def test_user_check_parses(rated, query):
    answer = parsed(UserCheckResponse, f"/api/v1/user/check/1001{query}")

    assert answer.ratings_past_three_hours == 3
    assert isinstance(answer.ratings_per_minute_in_timeframe, float)
    assert isinstance(answer.ratings_per_minute_for_past_three_hours, float)


def test_user_check_of_an_account_without_ratings_parses(rated):
    Rater.objects.create(username="Quiet#5801", horde_id=5801)

    answer = parsed(UserCheckResponse, "/api/v1/user/check/5801")

    assert (answer.ratings_in_timeframe, answer.ratings_per_minute_in_timeframe, answer.captchas_failed) == (0, 0.0, 0)


@pytest.mark.parametrize("query", ["", "?rating=3&rating_comparison=ge", "?artifacts=0", "?min_ratings=2&limit=1"])
def test_user_validate_parses(rated, query):
    answer = parsed(UserValidateResponse, f"/api/v1/user/validate/1001{query}")

    assert answer.total >= 1
    for row in answer.ratings:
        assert isinstance(row.average, float)


def test_user_validate_lists_ratings_with_and_without_artifacts_and_counted_or_not(rated):
    answer = parsed(UserValidateResponse, "/api/v1/user/validate/1001")

    rows = [(row.rating, row.artifacts, row.average, row.times_rated) for row in answer.ratings]
    assert rows == [(9, 0, 0.0, 0), (3, None, 3.0, 1), (8, 1, 6.5, 2)]


def test_user_validate_of_an_account_without_ratings_parses(rated):
    Rater.objects.create(username="Quiet#5801", horde_id=5801)

    answer = parsed(UserValidateResponse, "/api/v1/user/validate/5801")

    assert (answer.total, answer.ratings) == (0, [])


@pytest.mark.parametrize("query", ["", "?diverge=2", "?limit=2&offset=1", "?rating=10"])
def test_user_ratings_parse(rated, query):
    answer = parsed(UserRatingsResponse, f"/api/v1/user/ratings/{query}")

    for row in answer.ratings:
        assert isinstance(row.average, float)
        assert "#" in row.username


def test_user_ratings_list_every_rater_with_floats_for_every_average(rated):
    answer = parsed(UserRatingsResponse, "/api/v1/user/ratings/")

    assert answer.total == 4
    assert sorted((row.rating, row.artifacts, row.average) for row in answer.ratings) == [
        (3, None, 3.0), (5, None, 6.5), (8, 1, 6.5), (9, 0, 0.0),
    ]
