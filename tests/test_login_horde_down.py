"""The Horde cannot be reached or fails: login says so clearly (503, Retry-After), never a crash."""

import socket

import pytest
from django.test import Client

from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY

NOT_ANSWERING = "The Horde is not answering right now"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens there


def _post_login(client: Client, key: str):
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_it_says_the_horde_is_not_answering_when_nothing_listens(db, settings):
    settings.HORDE_API_URL = f"http://127.0.0.1:{_closed_port()}/api"
    client = Client(enforce_csrf_checks=True)  # raises on any exception in a view

    response = _post_login(client, DEMO_KEY)

    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    page = response.content.decode()
    assert NOT_ANSWERING in page
    assert "Traceback" not in page
    assert 'name="apikey"' in page  # the form, ready to try again
    assert Rater.objects.count() == 0
    assert client.get("/rate/").status_code == 302  # not logged in


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_it_says_the_horde_is_not_answering_when_it_fails(db, horde, status):
    horde.fail("/v2/find_user", times=1, status=status)
    client = Client(enforce_csrf_checks=True)

    response = _post_login(client, DEMO_KEY)

    assert response.status_code == 503
    assert NOT_ANSWERING in response.content.decode()
    assert Rater.objects.count() == 0


def test_the_next_try_works_once_the_horde_is_back(db, horde):
    horde.fail("/v2/find_user", times=1, status=503)
    client = Client(enforce_csrf_checks=True)
    assert _post_login(client, DEMO_KEY).status_code == 503

    response = _post_login(client, DEMO_KEY)

    assert response.status_code == 302
    assert Rater.objects.filter(horde_id=1001).exists()
