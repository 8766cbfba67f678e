"""A page's hold of a dataset image (ratings.models.ServedImage.hold_only) is not a serve of the API's: the API's
look-time floor (RATING_MIN_SECONDS) still starts only at rating/new. An image the rate page showed is refused on the
API as never served (403); one rating/new served keeps its serve time when a page shows it afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.ratings.models import Rating, ServedImage
from tests.check_helpers import shown_on
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def floor_and_holds(settings):
    settings.RATING_MIN_SECONDS = 0.5
    settings.RATING_HOLD_SECONDS = 120


def test_an_image_only_the_page_showed_is_not_served_to_the_api(login, make_images):
    make_images(3)
    shown = shown_on(login(DEMO_KEY).get("/rate/").content.decode())
    held = ServedImage.objects.get(image=shown)
    assert held.hold_only
    ServedImage.objects.filter(pk=held.pk).update(served_at=timezone.now() - timedelta(seconds=5))

    refused = api_rate(shown.public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert refused.status_code == 403
    assert refused.json()["message"].startswith("Ask for an image with rating/new first")
    assert not Rating.objects.exists()


def test_a_page_showing_it_afterwards_leaves_the_api_serve_time(login, make_images):
    make_images(1)
    served = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()
    api_served = timezone.now() - timedelta(seconds=5)
    ServedImage.objects.filter(image__public_id=served["id"]).update(served_at=api_served)

    assert str(shown_on(login(DEMO_KEY).get("/rate/").content.decode()).public_id) == served["id"]

    row = ServedImage.objects.get(image__public_id=served["id"])
    assert (row.served_at, row.hold_only) == (api_served, False)
    assert api_rate(served["id"], {"rating": 7}, apikey=DEMO_KEY).status_code == 201
