"""Through the API the look time starts at rating/new: a rating sent sooner than RATING_MIN_SECONDS after its
image was served is refused with 429, a Retry-After and a message, and stores and earns nothing; sent again after
Retry-After it is saved. An image rating/new never served to this rater is refused with 403 (clients skip to the
next image)."""

from __future__ import annotations

import time

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def floor(settings):
    settings.RATING_MIN_SECONDS = 0.6


def test_too_soon_after_rating_new_is_refused_then_saved_after_retry_after(make_images):
    make_images(3)
    served = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()

    refused = api_rate(served["id"], {"rating": 7}, apikey=DEMO_KEY)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert "take at least 0.6 s to look at each image" in refused.json()["message"]
    assert not Rating.objects.exists() and not KudosReward.objects.exists()

    time.sleep(int(refused["Retry-After"]))
    saved = api_rate(served["id"], {"rating": 7}, apikey=DEMO_KEY)
    assert saved.status_code == 201
    assert Rating.objects.get().rating == 7


def test_an_image_never_served_is_refused(make_images):
    images = make_images(3)
    served = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()
    never = next(image for image in images if str(image.public_id) != served["id"])
    time.sleep(0.6)

    refused = api_rate(never.public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert refused.status_code == 403
    assert refused.json()["message"].startswith("Ask for an image with rating/new first")
    assert not Rating.objects.exists()
