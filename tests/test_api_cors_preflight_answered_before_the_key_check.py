"""A page of another origin that calls the API with `apikey`, `Client-Agent` and `Content-Type: application/json` makes
the browser send a preflight first, without the key. Every /api/v1/ call the clients make (and /api/swagger.json,
which Stable UI reads) answers it with the CORS headers before any key check: no 401, and no Horde call."""

import pytest

from tests.cors_helpers import ALLOWED_HEADERS, listed, preflight

pytestmark = pytest.mark.django_db

# An id nothing has: fixed, not drawn at import, so that every pytest-xdist worker collects the same test ids.
UNKNOWN_ID = "9b2f6c1e-4d7a-4f3b-8e25-61c0a7d9e3b4"

CALLS = [
    ("GET", "/api/v1/rating/new"),
    ("GET", f"/api/v1/rating/new/{UNKNOWN_ID}"),
    ("GET", f"/api/v1/rating/new/{UNKNOWN_ID}/AlbedoBase%20XL"),
    ("POST", f"/api/v1/rating/{UNKNOWN_ID}"),
    ("GET", "/api/v1/datasets"),
    ("GET", "/api/v1/teams"),
    ("POST", "/api/v1/generations"),
    ("GET", f"/api/v1/image/ratings/{UNKNOWN_ID}"),
    ("GET", "/api/v1/user/check/1001"),
    ("GET", "/api/v1/user/validate/1001"),
    ("GET", "/api/v1/user/ratings/"),
    ("GET", "/api/v1/download/"),
    ("GET", "/api/v1/download/horde_ratings.parquet"),
    ("GET", "/api/swagger.json"),
]


@pytest.mark.parametrize(("method", "path"), CALLS)
def test_the_preflight_is_answered_with_the_cors_headers_and_no_key(method, path, horde):
    answer = preflight(path, method)

    assert answer.status_code in (200, 204), answer.content
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert listed(answer["Access-Control-Allow-Headers"]) == ALLOWED_HEADERS
    assert listed(answer["Access-Control-Allow-Methods"]) == {"get", "post", "put", "options"}
    assert int(answer["Access-Control-Max-Age"]) > 0
    assert listed(answer["Access-Control-Expose-Headers"]) == {"retry-after"}
    assert horde.requests == []  # no key was looked up


def test_an_unknown_api_call_is_answered_too_so_that_its_404_reaches_the_page():
    answer = preflight("/api/v1/no/such/call", "GET")

    assert answer.status_code in (200, 204)
    assert answer["Access-Control-Allow-Origin"] == "*"
