"""Found by schemathesis (tests/test_api_schemathesis_no_server_errors.py) on PostgreSQL: registration `params`
holding a NUL character made jsonb refuse the row (a 503). Such params, or a lone surrogate, are a 400."""

import json

import pytest

from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ['"a\\u0000b"', '"\\ud95a"', '{"\\u0000": 1}'], ids=["nul", "surrogate", "nul-key"])
def test_params_with_unstorable_text_are_refused(raw: str) -> None:
    body = json.dumps(registration()).replace('"params": {', f'"params": {{"x": {raw}, ', 1)

    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=body.encode())

    assert response.status_code == 400, response.content
    assert "NUL character or a lone surrogate" in response.json()["message"]
