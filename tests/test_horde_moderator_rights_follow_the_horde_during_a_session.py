"""A Horde moderator's admin rights follow the Horde during a session: once find_user no longer says
"moderator", the next admin or /stats/ request takes the rights and the session away (no wait for the next
login); while the Horde does not answer, the rights stay."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from ratings_site.demo.standin import DEMO_KEYS
from ratings_site.raters.models import Rater

MODERATOR_KEY = "demo-moderator-0003"


def _admin_login(key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/admin/login/?next=/admin/").cookies["csrftoken"].value
    response = client.post("/admin/login/?next=/admin/", {"apikey": key, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


def test_a_moderator_demoted_on_the_horde_loses_the_admin_at_the_next_request(db, horde):
    client = _admin_login(MODERATOR_KEY)
    assert client.get("/admin/").status_code == 200

    horde.add_user(MODERATOR_KEY, DEMO_KEYS[MODERATOR_KEY] | {"moderator": False})
    cache.clear()  # find_user answers are cached for FIND_USER_CACHE_SECONDS
    response = client.get("/admin/ratings/rating/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    rater = Rater.objects.get(horde_id=1003)
    assert not rater.is_staff and not rater.moderator
    assert not rater.groups.exists()
    assert 'data-testid="suspect-raters"' not in client.get("/stats/").content.decode()  # only the public part


def test_a_moderator_keeps_the_admin_while_the_horde_still_says_so_or_is_down(db, horde):
    client = _admin_login(MODERATOR_KEY)
    cache.clear()
    assert client.get("/admin/datasets/image/").status_code == 200

    horde.fail("/v2/find_user", times=10)  # the Horde answers 503
    cache.clear()
    assert client.get("/admin/datasets/image/").status_code == 200
    assert Rater.objects.get(horde_id=1003).is_staff
