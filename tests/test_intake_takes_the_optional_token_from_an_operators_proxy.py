"""The optional token, for an operator who proxies the Horde's call: with HORDE_RATINGS_SET_TOKEN in
X-Ratings-Set-Token a forward is taken from any address; a missing or wrong token from an unlisted address is 401
(never 403, never the token echoed), stores nothing, and is refused before the body is read."""

import uuid

import pytest

from ratings_site.generations.models import GenerationSet
from ratings_site.raters.models import Rater
from tests.intake_helpers import TOKEN, forward, horde_payload

pytestmark = pytest.mark.django_db


def a_rated_set() -> dict:
    return horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 7}])


@pytest.mark.parametrize("allowed", [[], ["10.1.2.3"]])
def test_with_the_token_it_is_taken_from_any_address(settings, allowed):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, allowed

    assert forward(a_rated_set(), REMOTE_ADDR="198.51.100.66").status_code == 201


@pytest.mark.parametrize("sent", [None, "", "wrong-token-0123456789", TOKEN + "x", TOKEN[:-1], "é" * 20])
def test_without_the_right_token_it_is_401_and_stores_nothing(settings, sent):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, []

    response = forward(a_rated_set(), token=sent)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("X-Ratings-Set-Token")
    message = response.json()["message"]
    assert message.startswith("Only the AI Horde may post rated sets here. This call came from 127.0.0.1,")
    assert ("is not this site's" in message) == bool(sent)
    assert TOKEN not in response.content.decode()
    assert not GenerationSet.objects.exists() and not Rater.objects.exists()


def test_garbage_without_the_token_is_401_not_400(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, []

    assert forward(None, token=None, raw=b"{garbage").status_code == 401
