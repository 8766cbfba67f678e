"""`/api/v1/image/ratings/tags` matches two calls' paths: an image's tags (image id "ratings") and a moderator's view of
an image's ratings (image id "tags"). It is the tags call, for every method that call takes: a PUT there is its
documented answer for no such image (404 with a message), never an undocumented 405 from the GET-only ratings view
(found by the schema fuzzer, tests/test_api_schemathesis_no_server_errors.py)."""

import pytest

from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "put"])
def test_the_ambiguous_path_answers_as_the_tags_call_of_no_image(client, method):
    answer = getattr(client, method)(
        "/api/v1/image/ratings/tags", data={"tags": []}, content_type="application/json", HTTP_APIKEY=DEMO_KEY
    )

    assert answer.status_code != 405
    assert answer.status_code in (401, 403, 404)
    assert "message" in answer.json()
