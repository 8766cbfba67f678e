"""A good Horde key logs the rater in: the local rater is created (or refreshed) from find_user."""

from django.test import Client

from ratings_site.demo.standin import DEMO_KEYS
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY


def _log_in(key: str) -> tuple[Client, object]:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value
    response = client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})
    return client, response


def test_it_creates_the_rater_from_the_horde_user_and_redirects_to_rate(db):
    client, response = _log_in(DEMO_KEY)

    assert response.status_code == 302
    assert response["Location"] == "/rate/"
    details = DEMO_KEYS[DEMO_KEY]
    rater = Rater.objects.get(horde_id=details["id"])
    assert rater.username == details["username"] == "DemoRater#1001"
    assert (rater.trusted, rater.moderator, rater.flagged) == (False, False, False)
    assert rater.account_age == details["account_age"]
    assert not rater.has_usable_password()
    assert client.get("/rate/").status_code == 200


def test_it_copies_trusted_moderator_and_account_age(db):
    _log_in("demo-moderator-0003")

    rater = Rater.objects.get(horde_id=1003)
    assert rater.username == "Moderator#1003"
    assert rater.trusted is True
    assert rater.moderator is True
    assert rater.flagged is False
    assert rater.account_age == DEMO_KEYS["demo-moderator-0003"]["account_age"]


def test_it_copies_the_flagged_mark(db):
    _log_in("demo-flagged-0005")

    rater = Rater.objects.get(horde_id=1005)
    assert rater.flagged is True
    assert rater.account_age == 86400


def test_it_updates_an_existing_rater_from_the_horde(db):
    stale = Rater.objects.create(
        username="OldName#1002", horde_id=1002, trusted=False, moderator=True, flagged=True, account_age=5
    )

    _, response = _log_in("demo-trusted-0002")

    assert response.status_code == 302
    assert Rater.objects.filter(horde_id=1002).count() == 1
    stale.refresh_from_db()
    assert stale.username == "TrustedRater#1002"
    assert (stale.trusted, stale.moderator, stale.flagged) == (True, False, False)
    assert stale.account_age == DEMO_KEYS["demo-trusted-0002"]["account_age"]


def test_logging_in_twice_keeps_one_rater(db):
    _log_in(DEMO_KEY)
    _log_in(DEMO_KEY)

    assert Rater.objects.filter(horde_id=1001).count() == 1
