"""The Horde forwards rated sets with no credential at all, so the intake knows it by its address: a forward with no
header from an address in HORDE_RATINGS_SET_ALLOWED_IPS (an address, or inside a listed network, IPv4 or IPv6) is
taken (201) and stored; behind trusted proxies, the address is the one the outermost of them wrote."""

import uuid

import pytest

from ratings_site.generations.models import GenerationRating, GenerationSet
from tests.intake_helpers import forward, horde_payload

pytestmark = pytest.mark.django_db


def a_rated_set() -> dict:
    return horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 7}])


@pytest.mark.parametrize(
    ("allowed", "caller"),
    [
        (["10.1.2.3"], "10.1.2.3"),
        (["10.1.0.0/16"], "10.1.2.3"),
        (["192.0.2.1", "10.1.2.3"], "10.1.2.3"),
        (["2001:db8::/32"], "2001:db8::7"),
        (["10.1.2.3"], "::ffff:10.1.2.3"),  # a dual-stack server sees IPv4 callers as mapped IPv6
    ],
)
def test_a_forward_with_no_credential_from_a_listed_address_is_taken(settings, allowed, caller):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", allowed
    payload = a_rated_set()

    response = forward(payload, token=None, REMOTE_ADDR=caller)

    assert response.status_code == 201, response.content
    stored = GenerationSet.objects.get(request_id=payload["set"])
    assert list(GenerationRating.objects.filter(image__generation_set=stored).values_list("rating", flat=True)) == [7]


def test_a_listed_address_needs_no_token_even_when_one_is_set(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "a-token-for-our-own-proxy-0123", ["10.1.2.3"]

    assert forward(a_rated_set(), token=None, REMOTE_ADDR="10.1.2.3").status_code == 201


@pytest.mark.parametrize(
    ("proxies", "forwarded_for"),
    [
        (1, "10.1.2.3"),  # the one proxy wrote the Horde's address
        (1, "198.51.100.66, 10.1.2.3"),  # whatever the caller wrote before it does not matter
        (2, "10.1.2.3, 172.16.0.5"),  # the outer proxy wrote the Horde's address, the inner one the outer's
    ],
)
def test_behind_trusted_proxies_the_address_they_saw_is_the_one_listed(settings, proxies, forwarded_for):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["10.1.2.3"]
    settings.FORWARDED_PROXIES = proxies

    response = forward(a_rated_set(), token=None, REMOTE_ADDR="172.16.0.9", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert response.status_code == 201, response.content
