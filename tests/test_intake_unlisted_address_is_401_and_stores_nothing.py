"""A forward from an address not in HORDE_RATINGS_SET_ALLOWED_IPS (and without the optional token) is 401, never
403 (the Horde reads 403 as "this generation appears already rated" and pays nothing), with a WWW-Authenticate
header and a message that tells the operator the caller's address and what to set. It is refused before the body
is read (garbage too is 401, not 400) and stores nothing. With nothing configured, 401 says the intake is not."""

import uuid

import pytest

from ratings_site.generations.models import GenerationSet
from ratings_site.raters.models import Rater
from tests.intake_helpers import forward, horde_payload

pytestmark = pytest.mark.django_db


def a_rated_set() -> dict:
    return horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 7}])


def assert_nothing_stored() -> None:
    assert not GenerationSet.objects.exists() and not Rater.objects.exists()


@pytest.mark.parametrize("allowed", [["10.1.2.3"], ["10.1.2.0/30", "2001:db8::/32"]])
def test_a_forward_from_an_unlisted_address_is_401_naming_the_fix(settings, allowed):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", allowed

    response = forward(a_rated_set(), token=None, REMOTE_ADDR="10.1.2.4")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("X-Ratings-Set-Token")
    assert response.json() == {
        "message": "Only the AI Horde may post rated sets here. This call came from 10.1.2.4, which is not in "
        "HORDE_RATINGS_SET_ALLOWED_IPS: list the Horde's addresses there (behind a proxy, set FORWARDED_PROXIES), "
        "or send HORDE_RATINGS_SET_TOKEN in X-Ratings-Set-Token."
    }
    assert_nothing_stored()


@pytest.mark.parametrize(("caller", "shown"), [("::ffff:10.1.2.4", "10.1.2.4"), ("2001:db8::7", "2001:db8::7")])
def test_the_message_shows_the_address_as_it_is_compared(settings, caller, shown):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["10.1.2.3"]

    response = forward(a_rated_set(), token=None, REMOTE_ADDR=caller)

    assert response.status_code == 401 and f"This call came from {shown}," in response.json()["message"]


def test_garbage_from_an_unlisted_address_is_401_not_400(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["10.1.2.3"]

    response = forward(None, token=None, raw=b"{garbage", REMOTE_ADDR="10.1.2.4")

    assert response.status_code == 401 and "10.1.2.4" in response.json()["message"]


def test_with_nothing_configured_every_forward_is_401_saying_what_to_set(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", []

    answers = [
        forward(a_rated_set(), token=None),
        forward(a_rated_set(), token="anything-at-all-1234"),
        forward(None, token=None, raw=b"{garbage"),
    ]

    for response in answers:
        assert response.status_code == 401
        assert response["WWW-Authenticate"]
        message = response.json()["message"]
        assert "not configured" in message
        assert "HORDE_RATINGS_SET_ALLOWED_IPS" in message and "HORDE_RATINGS_SET_TOKEN" in message
    assert_nothing_stored()


def test_a_token_sent_where_none_is_set_does_not_help(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["10.1.2.3"]

    response = forward(a_rated_set(), token="a-guess-at-a-token-0123", REMOTE_ADDR="10.1.2.4")

    assert response.status_code == 401
    assert "This site has no HORDE_RATINGS_SET_TOKEN" in response.json()["message"]
    assert "a-guess-at-a-token-0123" not in response.content.decode()
    assert_nothing_stored()
