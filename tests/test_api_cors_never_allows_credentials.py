"""Any origin may call the API, but never with the browser's credentials: no answer says
Access-Control-Allow-Credentials, and the allowed origin is always `*`, which browsers refuse for a credentialed
request. So a page elsewhere that calls the API with `credentials: "include"` from a moderator's browser, logged in
to the admin, cannot read what that session would see: the key travels in the `apikey` header, never in a cookie."""

import pytest

from tests.conftest import DEMO_KEY
from tests.cors_helpers import APP_ORIGIN, preflight
from tests.embed_token_helpers import ORIGIN as EMBED_ORIGIN
from tests.embed_token_helpers import token_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

MODERATORS_CALLS = ["/api/v1/user/ratings/", "/api/v1/user/check/1001", "/api/v1/user/validate/1001"]


def assert_no_credentials(answer) -> None:
    assert "Access-Control-Allow-Credentials" not in answer
    assert answer["Access-Control-Allow-Origin"] == "*"  # never the caller's origin echoed back


@pytest.mark.parametrize("path", MODERATORS_CALLS)
def test_a_moderators_admin_session_opens_nothing_to_another_origin(path, moderator_client):
    answers = [
        preflight(path, client=moderator_client),
        moderator_client.get(path, headers={"Origin": APP_ORIGIN}),
    ]

    for answer in answers:
        assert_no_credentials(answer)
    assert answers[1].status_code == 401  # the session cookie counts for nothing


def test_a_keyed_call_is_allowed_without_credentials(make_images):
    from django.test import Client

    make_images(1)
    client = Client()
    answers = [
        preflight("/api/v1/rating/new", client=client),
        client.get("/api/v1/rating/new", headers={"Origin": APP_ORIGIN, "apikey": DEMO_KEY}),
    ]

    for answer in answers:
        assert_no_credentials(answer)
    assert answers[1].status_code == 200


def test_the_embed_token_allows_its_listed_origin_without_credentials(settings):
    settings.EMBED_ALLOWED_ORIGINS = [EMBED_ORIGIN]

    answer = token_call(EMBED_ORIGIN, Origin=EMBED_ORIGIN)

    assert answer.status_code == 201
    assert "Access-Control-Allow-Credentials" not in answer
