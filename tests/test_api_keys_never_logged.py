"""A rater's Horde API key sent to the API is never logged nor echoed, whatever the API answers."""

import logging

import pytest

from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db

UNKNOWN_KEY = "unknown-key-7f3a9c"


def test_keys_appear_in_no_log_record_nor_answer(horde, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [
        post_json("/api/v1/generations", registration(), apikey=DEMO_KEY),
        post_json("/api/v1/generations", {"broken": True}, apikey=DEMO_KEY),
        post_json("/api/v1/generations", registration(), apikey=UNKNOWN_KEY),
        post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=b"{oops " + DEMO_KEY.encode()),
    ]

    assert [a.status_code for a in answers] == [201, 400, 401, 400]
    for key in (DEMO_KEY, UNKNOWN_KEY):
        assert key not in caplog.text
        assert all(key.encode() not in answer.content for answer in answers)
