"""A moderators' call with a query parameter it cannot use answers 400 with a JSON {"message"} naming the
parameter, never a 500, and the same with format=html."""

import pytest
from django.test import Client

from ratings_site.raters.models import Rater

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"
HUGE = "9" * 40


@pytest.fixture(autouse=True)
def account(db):
    Rater.objects.create(username="Someone#6001", horde_id=6001)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/user/check/6001?minutes=abc", "minutes"),
        ("/api/v1/user/check/6001?minutes=0", "minutes"),
        ("/api/v1/user/check/6001?minutes=-5", "minutes"),
        (f"/api/v1/user/check/6001?minutes={HUGE}", "minutes"),
        ("/api/v1/user/check/6001?minutes=1.5", "minutes"),
        ("/api/v1/user/check/6001?divergence=x", "divergence"),
        ("/api/v1/user/check/6001?divergence=-1", "divergence"),
        (f"/api/v1/user/check/6001?divergence={HUGE}", "divergence"),
        ("/api/v1/user/validate/6001?rating=abc", "rating"),
        ("/api/v1/user/validate/6001?rating=11", "rating"),
        ("/api/v1/user/validate/6001?rating=5&rating_comparison=gt", "rating_comparison"),
        ("/api/v1/user/validate/6001?artifacts=6", "artifacts"),
        ("/api/v1/user/validate/6001?artifacts=2&artifacts_comparison=ne", "artifacts_comparison"),
        ("/api/v1/user/validate/6001?min_ratings=-1", "min_ratings"),
        (f"/api/v1/user/validate/6001?min_ratings={HUGE}", "min_ratings"),
        ("/api/v1/user/validate/6001?limit=-1", "limit"),
        ("/api/v1/user/validate/6001?limit=0", "limit"),
        ("/api/v1/user/validate/6001?limit=1001", "limit"),
        (f"/api/v1/user/validate/6001?offset={HUGE}", "offset"),
        ("/api/v1/user/validate/6001?offset=-3", "offset"),
        ("/api/v1/user/ratings/?limit=-1", "limit"),
        ("/api/v1/user/ratings/?limit=5000", "limit"),
        ("/api/v1/user/ratings/?offset=x", "offset"),
        ("/api/v1/user/ratings/?diverge=far", "diverge"),
        ("/api/v1/user/ratings/?diverge=-2", "diverge"),
        (f"/api/v1/user/ratings/?diverge={HUGE}", "diverge"),
        ("/api/v1/user/ratings/?format=xml", "format"),
        ("/api/v1/user/validate/6001?format=csv", "format"),
        ("/api/v1/user/check/6001?format=api", "format"),
    ],
)
def test_it_is_400_naming_the_parameter(path, named):
    for asked in (path, path + "&format=html" if "format=" not in path else path):
        response = Client().get(asked, headers={"apikey": MODERATOR_KEY})

        assert response.status_code == 400, (asked, response.content)
        assert response["Content-Type"] == "application/json"
        assert response.json()["message"].startswith(f"{named}:"), response.json()


def test_the_image_call_refuses_an_unknown_format(make_images):
    (image,) = make_images(1)

    response = Client().get(f"/api/v1/image/ratings/{image.public_id}?format=yaml", headers={"apikey": MODERATOR_KEY})

    assert response.status_code == 400
    assert response.json() == {"message": "format: must be json or html."}
