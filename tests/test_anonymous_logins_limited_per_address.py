"""Anonymous logins make a new rater each, so one address may make only ANONYMOUS_LOGINS_PER_ADDRESS of them
per LOGIN_THROTTLE_SECONDS; the next is told to wait (429 with Retry-After) and no rater is made."""

from __future__ import annotations

from django.test import Client

from ratings_site.raters.models import Rater
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY


def _post(key: str, address: str):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_the_address_is_told_to_wait_after_the_limit(db, settings):
    settings.ANONYMOUS_LOGINS_PER_ADDRESS = 3

    statuses = [_post(ANONYMOUS_KEY, "203.0.113.7").status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 429]
    refused = _post(ANONYMOUS_KEY, "203.0.113.7")
    assert "Retry-After" in refused
    assert "anonymous" in refused.content.decode()
    assert Rater.objects.filter(horde_id=0).count() == 3


def test_other_addresses_and_own_keys_are_not_held_back(db, settings):
    settings.ANONYMOUS_LOGINS_PER_ADDRESS = 1
    assert _post(ANONYMOUS_KEY, "203.0.113.7").status_code == 302
    assert _post(ANONYMOUS_KEY, "203.0.113.7").status_code == 429

    assert _post(ANONYMOUS_KEY, "198.51.100.2").status_code == 302
    assert _post(DEMO_KEY, "203.0.113.7").status_code == 302
