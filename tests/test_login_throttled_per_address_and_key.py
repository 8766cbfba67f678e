"""Failed logins are limited per address and per key (by its hash), in the shared cache, so guessing keys
costs the Horde nothing past the limit: the site answers 429 with Retry-After and asks the Horde nothing."""

from __future__ import annotations

from django.test import Client

from tests.conftest import DEMO_KEY
from tests.served_site import served_site  # noqa: F401


def _post(key: str, address: str):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def _find_user_calls(horde) -> int:
    return sum(1 for r in horde.requests if r["path"] == "/v2/find_user")


def test_wrong_keys_from_one_address_are_stopped_after_the_limit(db, horde, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5

    statuses = [_post(f"wrong-key-{n:04d}", "203.0.113.9").status_code for n in range(100)]

    assert statuses[:5] == [400] * 5
    assert set(statuses[5:]) == {429}
    assert _find_user_calls(horde) == 5
    refused = _post("wrong-key-9999", "203.0.113.9")
    assert refused["Retry-After"].isdigit()
    assert "Too many failed logins" in refused.content.decode()


def test_one_wrong_key_tried_from_many_addresses_is_stopped_too(db, horde, settings):
    settings.LOGIN_FAILURES_PER_KEY = 3
    settings.INVALID_KEY_CACHE_SECONDS = 0

    statuses = [_post("the-same-wrong-key", f"198.51.100.{n}").status_code for n in range(10)]

    assert statuses == [400] * 3 + [429] * 7
    assert _find_user_calls(horde) == 3


def test_a_throttled_address_may_still_log_in_with_a_good_key_elsewhere(db, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    for n in range(3):
        _post(f"wrong-key-{n}", "203.0.113.9")

    assert _post(DEMO_KEY, "198.51.100.1").status_code == 302


def test_the_limit_holds_across_gunicorn_worker_processes(served_site, horde):  # noqa: F811
    site = served_site(workers=3, env={"LOGIN_FAILURES_PER_ADDRESS": "4"})

    statuses = [site.post_login(f"wrong-key-{n:04d}")[0] for n in range(24)]

    assert statuses.count(400) == 4, statuses
    assert statuses.count(429) == 20, statuses
    assert _find_user_calls(horde) == 4
