"""A Horde API key sent to the raters' API calls is never logged, echoed nor stored, whatever the answer: a
rating, a refusal, a key the Horde does not know, a Horde that is down."""

import logging

import pytest
from django.core.cache import cache
from django.db import connection

from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

UNKNOWN_KEY = "unknown-key-5e1b22"
UNSEEN_KEY = "demo-rater-0007"


def test_keys_appear_in_no_log_record_answer_or_table(make_images, horde, caplog):
    caplog.set_level(logging.DEBUG)
    [image] = make_images(1)
    answers = [
        api_get("/api/v1/rating/new", apikey=DEMO_KEY),
        api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY),
        api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY),
        api_rate(image.public_id, {"rating": 70}, apikey=DEMO_KEY),
        api_rate(image.public_id, None, apikey=DEMO_KEY, raw=b"{oops " + DEMO_KEY.encode()),
        api_get("/api/v1/rating/new", apikey=UNKNOWN_KEY),
    ]
    horde.fail("/v2/find_user", times=5, status=503)
    answers.append(api_get("/api/v1/rating/new", apikey=UNSEEN_KEY))

    assert [a.status_code for a in answers] == [200, 201, 403, 400, 400, 401, 503]
    for key in (DEMO_KEY, UNKNOWN_KEY, UNSEEN_KEY):
        assert key not in caplog.text
        assert all(key.encode() not in answer.content for answer in answers)
        assert cache.get("api-rater:" + key) is None
    with connection.cursor() as cursor:
        for table in ("raters_rater", "ratings_rating"):
            cursor.execute(f"SELECT * FROM {table}")
            dumped = repr(cursor.fetchall())
            assert DEMO_KEY not in dumped and UNKNOWN_KEY not in dumped
