"""`next` sends the rater back where they were, but only to a page of this site."""

import pytest
from django.test import Client

from tests.conftest import DEMO_KEY


def _post_login(client: Client, **extra):
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": DEMO_KEY, "csrfmiddlewaretoken": token, **extra})


def test_a_local_next_is_honoured(db):
    response = _post_login(Client(enforce_csrf_checks=True), next="/kudos/")

    assert response.status_code == 302
    assert response["Location"] == "/kudos/"


def test_the_login_page_carries_next_into_the_form(db):
    client = Client(enforce_csrf_checks=True)

    page = client.get("/login/?next=/rate/some-set/").content.decode()

    assert 'name="next" value="/rate/some-set/"' in page


def test_a_next_from_the_login_redirect_comes_back(db):
    client = Client(enforce_csrf_checks=True)
    bounced = client.get("/kudos/")
    assert bounced.status_code == 302
    token = client.get(bounced["Location"]).cookies["csrftoken"].value

    response = client.post(bounced["Location"], {"apikey": DEMO_KEY, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"] == "/kudos/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.org/",
        "//evil.example.org/rate/",
        "http://evil.example.org/kudos/",
        "javascript:alert(1)",
        "/\\evil.example.org",
    ],
)
def test_a_foreign_next_is_ignored(db, target):
    response = _post_login(Client(enforce_csrf_checks=True), next=target)

    assert response.status_code == 302
    assert response["Location"] == "/rate/"
