"""Logging in gives a new session id: a planted (fixated) session is dropped."""

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import DEMO_KEY, SECOND_KEY


def _post_login(client: Client, key: str):
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_a_planted_session_id_is_replaced_at_login(db, settings):
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    response = _post_login(client, DEMO_KEY)

    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    # The planted id no longer opens a logged-in page.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get("/rate/").status_code == 302


def test_logging_in_again_rotates_the_session_id(login, settings):
    client = login(DEMO_KEY)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = _post_login(client, SECOND_KEY)

    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert "SecondRater#1006" in client.get("/rate/").content.decode()
