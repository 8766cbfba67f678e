"""Client apps call POST /api/v1/embed/token from their web pages: the browser's preflight and the call get CORS
headers for the origins in EMBED_ALLOWED_ORIGINS, and none for any other origin."""

import pytest
from django.test import Client

from tests.conftest import DEMO_KEY
from tests.embed_token_helpers import ORIGIN, OTHER_ORIGIN, token_call

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]


def _preflight(origin: str):
    return Client().options(
        "/api/v1/embed/token",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "apikey, content-type"},
    )


def test_a_listed_origins_preflight_and_call_are_allowed():
    preflight = _preflight(ORIGIN)
    call = token_call(ORIGIN, Origin=ORIGIN)

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    assert "apikey" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert call.status_code == 201
    assert call["Access-Control-Allow-Origin"] == ORIGIN


def test_another_origin_gets_no_cors_headers():
    preflight = _preflight(OTHER_ORIGIN)
    call = token_call(ORIGIN, Origin=OTHER_ORIGIN)

    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Origin" not in call


def test_a_refusal_to_a_listed_origin_is_readable_by_its_page():
    call = token_call("https://not-listed.example", Origin=ORIGIN, apikey=DEMO_KEY)

    assert call.status_code == 403
    assert call["Access-Control-Allow-Origin"] == ORIGIN
    assert "may not embed" in call.json()["message"]
