"""Logging out is a POST that ends the session; GET /logout/ is refused."""

from django.contrib.sessions.models import Session

from tests.conftest import DEMO_KEY, csrf_token


def test_logout_ends_the_session(login, settings):
    client = login(DEMO_KEY)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/rate/").status_code == 200

    response = client.post("/logout/", {"csrfmiddlewaretoken": csrf_token(client)})

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not Session.objects.filter(session_key=session_key).exists()
    after = client.get("/rate/")
    assert after.status_code == 302
    assert after["Location"].startswith("/login/")


def test_get_logout_is_refused_and_keeps_the_session(login):
    client = login(DEMO_KEY)

    response = client.get("/logout/")

    assert response.status_code == 405
    assert client.get("/rate/").status_code == 200


def test_logout_without_csrf_token_is_refused(login):
    client = login(DEMO_KEY)

    response = client.post("/logout/")

    assert response.status_code == 403
    assert client.get("/rate/").status_code == 200
