"""A moderator whom the Horde no longer calls one loses the moderators' API calls within the admin's bound: both
ask find_user again on each moderators' request, through its cache of FIND_USER_CACHE_SECONDS, however long the
API remembers the key (API_KEY_CACHE_SECONDS, which ordinary raters' calls keep). While the Horde does not
answer, the rights stay in both, so moderators are not locked out by an outage."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from ratings_site.demo.standin import DEMO_KEYS
from ratings_site.raters.models import Rater

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"
MODERATORS_CALL = "/api/v1/user/ratings/"


@pytest.fixture(autouse=True)
def short_find_user_cache(settings):
    settings.FIND_USER_CACHE_SECONDS = 1
    settings.API_KEY_CACHE_SECONDS = 300


def _moderators_call():
    return Client().get(MODERATORS_CALL, headers={"apikey": MODERATOR_KEY})


def _admin_login(key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/admin/login/?next=/admin/").cookies["csrftoken"].value
    response = client.post("/admin/login/?next=/admin/", {"apikey": key, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


def _demote(horde) -> None:
    horde.add_user(MODERATOR_KEY, DEMO_KEYS[MODERATOR_KEY] | {"moderator": False})


def _find_user_calls(horde) -> int:
    return sum(1 for r in horde.requests if r["path"] == "/v2/find_user")


def test_the_moderators_calls_are_refused_once_find_users_answer_is_older_than_its_cache(horde):
    assert _moderators_call().status_code == 200
    _demote(horde)

    time.sleep(1.2)
    response = _moderators_call()

    assert response.status_code == 403
    assert "moderators" in response.json()["message"]
    rater = Rater.objects.get(horde_id=1003)
    assert not rater.moderator and not rater.is_staff


def test_the_admin_and_the_moderators_calls_are_lost_after_the_same_wait(horde):
    admin = _admin_login(MODERATOR_KEY)
    assert admin.get("/admin/").status_code == 200
    assert _moderators_call().status_code == 200
    _demote(horde)

    time.sleep(1.2)

    assert _moderators_call().status_code == 403  # first, so that the admin's check has not demoted the rater yet
    assert admin.get("/admin/").status_code == 302


def test_within_find_users_cache_a_moderators_calls_ask_the_horde_once(horde, settings):
    settings.FIND_USER_CACHE_SECONDS = 30

    assert [_moderators_call().status_code for _ in range(5)] == [200] * 5

    assert _find_user_calls(horde) == 1


def test_while_the_horde_does_not_answer_the_moderator_keeps_the_calls(horde):
    assert _moderators_call().status_code == 200
    horde.fail("/v2/find_user", times=10)

    time.sleep(1.2)

    assert _moderators_call().status_code == 200
