"""find_user remembers that the Horde did not know a key for INVALID_KEY_CACHE_SECONDS, so a rater who
retries a wrong key (or a script that hammers one) costs the Horde one call."""

from __future__ import annotations

import pytest

from ratings_site.horde import client as horde_client


def test_the_horde_is_asked_once_about_an_unknown_key(db, horde, settings):
    settings.INVALID_KEY_CACHE_SECONDS = 10

    for _ in range(3):
        with pytest.raises(horde_client.InvalidAPIKey):
            horde_client.find_user("not-a-real-key-0001")

    assert [r["path"] for r in horde.requests] == ["/v2/find_user"]


def test_with_the_memory_off_it_asks_each_time(db, horde, settings):
    settings.INVALID_KEY_CACHE_SECONDS = 0

    for _ in range(2):
        with pytest.raises(horde_client.InvalidAPIKey):
            horde_client.find_user("not-a-real-key-0001")

    assert len(horde.requests) == 2


def test_login_uses_the_remembered_answer_of_a_good_key(db, horde, login):
    login("demo-rater-0001")
    login("demo-rater-0001")

    assert len([r for r in horde.requests if r["path"] == "/v2/find_user"]) == 1
