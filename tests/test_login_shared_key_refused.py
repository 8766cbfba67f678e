"""A shared key is refused at login with the reason, and does not touch the owner's rater."""

from django.test import Client

from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY, SHARED_KEY


def _post_login(client: Client, key: str):
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_it_refuses_a_shared_key_and_says_why(db):
    client = Client(enforce_csrf_checks=True)

    response = _post_login(client, SHARED_KEY)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This is a shared key" in page
    assert "must come from the account&#x27;s owner" in page
    assert "your own Horde API key" in page
    assert Rater.objects.count() == 0
    assert client.get("/rate/").status_code == 302


def test_it_leaves_the_owners_rater_as_it_was(login):
    login(DEMO_KEY)  # the owner of the shared key (same Horde id 1001)

    response = _post_login(Client(enforce_csrf_checks=True), SHARED_KEY)

    assert response.status_code == 400
    owner = Rater.objects.get(horde_id=1001)
    assert owner.username == "DemoRater#1001"
    assert Rater.objects.count() == 1
