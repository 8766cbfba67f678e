"""The login limits are not forgotten when the shared cache is busy: failed logins (per address and per key) and
anonymous logins (per address) are counted in the database (raters.limits_store), so an address that reached a
limit stays refused however many other entries the cache takes meanwhile (Django's database cache, production's
default, keeps 300 and culls a third of them on the next write)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import ANONYMOUS_KEY
from tests.database_cache_helpers import database_cache, write_to_the_cache  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_cache")]


def _post(key: str, address: str):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def _find_user_calls(horde) -> int:
    return sum(1 for r in horde.requests if r["path"] == "/v2/find_user")


def test_a_throttled_address_stays_throttled_after_ten_thousand_cache_writes(horde, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    assert [_post(f"wrong-key-{n}", "203.0.113.9").status_code for n in range(6)] == [400] * 5 + [429]

    write_to_the_cache(10_000)
    statuses = [_post(f"wrong-key-again-{n}", "203.0.113.9").status_code for n in range(5)]

    assert statuses == [429] * 5
    assert _find_user_calls(horde) == 5


def test_a_throttled_key_stays_throttled_after_ten_thousand_cache_writes(horde, settings):
    settings.LOGIN_FAILURES_PER_KEY = 3
    settings.INVALID_KEY_CACHE_SECONDS = 0
    assert [_post("the-same-wrong-key", f"198.51.100.{n}").status_code for n in range(4)] == [400] * 3 + [429]

    write_to_the_cache(10_000)

    assert _post("the-same-wrong-key", "198.51.100.200").status_code == 429
    assert _find_user_calls(horde) == 3


def test_anonymous_logins_stay_limited_after_ten_thousand_cache_writes(settings):
    settings.ANONYMOUS_LOGINS_PER_ADDRESS = 2
    assert [_post(ANONYMOUS_KEY, "203.0.113.20").status_code for _ in range(3)] == [302, 302, 429]

    write_to_the_cache(10_000)

    assert _post(ANONYMOUS_KEY, "203.0.113.20").status_code == 429
