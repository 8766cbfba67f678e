"""Only the Horde may post rated sets: with HORDE_RATINGS_SET_TOKEN in X-Ratings-Set-Token, or from an address in
HORDE_RATINGS_SET_ALLOWED_IPS. Anything else gets 403 and stores nothing; with neither set the intake is off."""

import uuid

import pytest

from ratings_site.generations.models import GenerationSet
from ratings_site.raters.models import Rater
from tests.intake_helpers import TOKEN, forward, horde_payload

pytestmark = pytest.mark.django_db


def payload() -> dict:
    return horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 7}])


def assert_nothing_stored() -> None:
    assert not GenerationSet.objects.exists() and not Rater.objects.exists()


def test_with_nothing_configured_the_intake_is_off(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", []

    response = forward(payload(), token="anything-at-all-1234")

    assert response.status_code == 403 and "takes no rated sets" in response.json()["message"]
    assert_nothing_stored()


@pytest.mark.parametrize("sent", [None, "", "wrong-token-0123456789", TOKEN + "x", TOKEN[:-1], "é" * 20])
def test_without_the_right_token_it_is_403(settings, sent):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, []

    response = forward(payload(), token=sent)

    assert response.status_code == 403
    assert response.json() == {"message": "Only the AI Horde may post rated sets here."}
    assert_nothing_stored()


def test_with_the_token_it_is_accepted(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, []

    assert forward(payload()).status_code == 201


def test_garbage_without_the_token_is_403_not_400(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, []

    assert forward(None, token=None, raw=b"{garbage").status_code == 403


@pytest.mark.parametrize("allowed", [["10.1.2.3"], ["10.1.0.0/16"], ["192.0.2.1", "10.1.2.3"]])
def test_from_a_listed_address_it_is_accepted_without_a_token(settings, allowed):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", allowed

    assert forward(payload(), token=None, REMOTE_ADDR="10.1.2.3").status_code == 201


def test_from_an_unlisted_address_it_is_403(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["10.1.2.3"]

    response = forward(payload(), token=None, REMOTE_ADDR="10.1.2.4")
    forged = forward(payload(), token=None, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="10.1.2.3")

    assert response.status_code == 403 and forged.status_code == 403
    assert_nothing_stored()
