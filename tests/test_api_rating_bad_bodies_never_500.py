"""Whatever a client sends to POST /api/v1/rating/<id> — a huge body, bytes that are not UTF-8, deep nesting,
NaN or an out-of-range float, a form — it gets a 4xx {"message"}, never a 500, and nothing is stored."""

import json

import pytest

from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

BODIES = {
    "just over the limit": (json.dumps({"rating": 7, "note": "a" * 300_000}).encode(), 413),
    "far over Django's limit": (json.dumps({"rating": 7, "note": "a" * 5_000_000}).encode(), 413),
    "not UTF-8": (b"\xff\xfe{", 400),
    "nested too deeply": (b"[" * 100_000, 400),
    "NaN": (b'{"rating": NaN}', 400),
    "a float too large": (b'{"rating": 1e400}', 400),
    "truncated": (b'{"rating": 7', 400),
    "empty": (b"", 400),
}


@pytest.mark.parametrize("name", list(BODIES))
def test_a_bad_body_is_4xx_json(make_images, name):
    [image] = make_images(1)
    raw, status = BODIES[name]

    response = api_rate(image.public_id, None, apikey=DEMO_KEY, raw=raw)

    assert response.status_code == status, response.content[:300]
    assert response.json()["message"]
    assert not Rating.objects.exists()


def test_a_form_body_is_415(make_images):
    [image] = make_images(1)

    response = api_rate(image.public_id, None, apikey=DEMO_KEY, raw=b"rating=7",
                        content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["message"]
