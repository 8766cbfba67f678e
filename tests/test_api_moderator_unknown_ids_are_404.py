"""A moderators' call about an image or a Horde account this site does not know answers 404 with a JSON
{"message"}: an unknown or malformed image id, a Horde id no rater has, or one that is not a whole number."""

import pytest
from django.test import Client

from ratings_site.raters.models import Rater

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"


def get(path):
    return Client().get(path, headers={"apikey": MODERATOR_KEY})


# An id no image has: fixed, not drawn at import, so that every pytest-xdist worker collects the same test ids.
UNKNOWN_ID = "9b2f6c1e-4d7a-4f3b-8e25-61c0a7d9e3b4"


@pytest.mark.parametrize("image_id", [UNKNOWN_ID, "not-a-uuid", "1234", "%20"])
def test_an_unknown_image_is_404(image_id):
    response = get(f"/api/v1/image/ratings/{image_id}")

    assert response.status_code == 404
    assert response.json() == {"message": "No image has this id."}


@pytest.mark.parametrize("call", ["check", "validate"])
@pytest.mark.parametrize("user_id", ["6101", "abc", "-5", "1.5", "9" * 30, "\u0663", "6100x"])
def test_an_unknown_or_malformed_horde_id_is_404(call, user_id):
    Rater.objects.create(username="Known#6100", horde_id=6100)

    response = get(f"/api/v1/user/{call}/{user_id}")

    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    assert "Horde id" in response.json()["message"]


def test_a_known_horde_id_is_answered():
    Rater.objects.create(username="Known#6100", horde_id=6100)

    assert get("/api/v1/user/check/6100").status_code == 200
    assert get("/api/v1/user/validate/6100").status_code == 200
