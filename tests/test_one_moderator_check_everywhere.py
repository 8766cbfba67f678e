"""Who is a moderator is answered once (raters.moderator_rights.is_moderator): a rater, a Horde moderator, a local
superuser and a moderator the Horde demoted get the same answer from the API's moderators' call, the moderators'
part of /stats/ (the page itself is public) and /admin/."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ratings_site.demo.standin import DEMO_KEYS
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY, MODERATOR_KEY, admin_login

pytestmark = pytest.mark.django_db

MODERATORS_CALL = "/api/v1/user/ratings/"


def _site_login(key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value
    assert client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token}).status_code == 302
    return client


def _answers(client: Client, api_call) -> dict[str, bool]:
    """Whether each of the moderators' doors lets this person in."""
    return {
        "api": api_call().status_code == 200,
        "stats": 'data-testid="suspect-raters"' in client.get("/stats/").content.decode(),
        "admin": client.get("/admin/").status_code == 200,
    }


def _api_with(key: str):
    return lambda: Client().get(MODERATORS_CALL, headers={"apikey": key})


def test_a_rater_is_refused_everywhere():
    client = _site_login(DEMO_KEY)

    assert _answers(client, _api_with(DEMO_KEY)) == {"api": False, "stats": False, "admin": False}


def test_a_horde_moderator_is_let_in_everywhere():
    client = admin_login(MODERATOR_KEY)

    assert _answers(client, _api_with(MODERATOR_KEY)) == {"api": True, "stats": True, "admin": True}


def test_a_local_superuser_is_let_in_everywhere(horde):
    client = _site_login(DEMO_KEY)
    Rater.objects.filter(horde_id=1001).update(is_superuser=True, is_staff=True)
    cache.clear()  # the API remembers the key's rater, not its rights: they are read on each call

    assert _answers(client, _api_with(DEMO_KEY)) == {"api": True, "stats": True, "admin": True}


def test_a_moderator_the_horde_demoted_is_refused_everywhere(horde):
    client = admin_login(MODERATOR_KEY)
    assert client.get("/admin/").status_code == 200
    horde.add_user(MODERATOR_KEY, DEMO_KEYS[MODERATOR_KEY] | {"moderator": False})
    cache.clear()  # find_user's answers are cached for FIND_USER_CACHE_SECONDS

    assert _answers(client, _api_with(MODERATOR_KEY)) == {"api": False, "stats": False, "admin": False}


def test_a_banned_moderator_is_refused_everywhere(horde):
    client = admin_login(MODERATOR_KEY)
    Rater.objects.filter(horde_id=1003).update(banned_at=timezone.now(), ban_reason="Rated 30 images 5 in 6 s.")

    assert _answers(client, _api_with(MODERATOR_KEY)) == {"api": False, "stats": False, "admin": False}
