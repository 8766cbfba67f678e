"""The API's CORS covers what browser clients call, and nothing else: the Horde's server-to-server forward
(/api/v1/rating/set) answers no origin, the embed token (/api/v1/embed/token) keeps its own allowlist
(EMBED_ALLOWED_ORIGINS, api/embed_views.py: its headers are neither widened to `*` nor joined by the library's), and
the site's own pages answer no other origin."""

import uuid

import pytest
from django.test import Client

from tests.cors_helpers import APP_ORIGIN, cors_headers, preflight
from tests.embed_token_helpers import ORIGIN as LISTED_ORIGIN
from tests.embed_token_helpers import OTHER_ORIGIN, token_call
from tests.intake_helpers import forward, horde_payload, intake_token  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def embedding_allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [LISTED_ORIGIN]


def test_the_hordes_forward_answers_no_origin(intake_token):
    refused = preflight("/api/v1/rating/set", "POST")
    generation = str(uuid.uuid4())
    payload = horde_payload(str(uuid.uuid4()), [generation], ratings=[{"id": generation, "rating": 7}])
    taken = forward(payload, HTTP_ORIGIN=APP_ORIGIN)

    assert taken.status_code == 201, taken.content
    assert cors_headers(refused) == {}
    assert cors_headers(taken) == {}


def test_the_embed_token_answers_its_listed_origin_with_its_own_headers_only():
    asked = preflight("/api/v1/embed/token", "POST", origin=LISTED_ORIGIN)
    issued = token_call(LISTED_ORIGIN, Origin=LISTED_ORIGIN)

    assert asked.status_code == 204
    assert cors_headers(asked) == {
        "access-control-allow-origin": LISTED_ORIGIN,
        "access-control-allow-headers": "apikey, Client-Agent, Content-Type",
        "access-control-allow-methods": "POST, OPTIONS",
        "access-control-max-age": "600",
    }
    assert issued.status_code == 201
    assert cors_headers(issued)["access-control-allow-origin"] == LISTED_ORIGIN
    assert "access-control-expose-headers" not in cors_headers(issued)


def test_the_embed_token_answers_no_other_origin():
    assert cors_headers(preflight("/api/v1/embed/token", "POST", origin=OTHER_ORIGIN)) == {}
    assert cors_headers(token_call(LISTED_ORIGIN, Origin=OTHER_ORIGIN)) == {}


@pytest.mark.parametrize("path", ["/", "/login/", "/rate/", "/api/schema/", "/api/docs/", "/admin/login/"])
def test_the_sites_pages_answer_no_origin(path):
    assert cors_headers(preflight(path)) == {}
    assert cors_headers(Client().get(path, headers={"Origin": APP_ORIGIN})) == {}
