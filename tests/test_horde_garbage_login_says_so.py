"""The Horde answering find_user with garbage (an HTML page, JSON of another shape), closing the connection, or
too slowly: /login/ says the Horde is not answering (503 with the message) and the API's key check answers 503
{"message"}, never a 500, nothing stored; the next try works once the Horde is back."""

import pytest
from django.test import Client

from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

MISBEHAVIOURS = ["garbage", "wrong-json", "close", "sleep"]


def _post_login(client: Client, key: str):
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


@pytest.fixture
def short_timeout(settings):
    settings.HORDE_TIMEOUT = 0.5
    settings.HORDE_LOGIN_TIMEOUT = 0.5


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_login_says_the_horde_is_not_answering_then_works_once_it_is_back(horde, short_timeout, how):
    horde.misbehave("/v2/find_user", 1, how, seconds=2)
    client = Client(enforce_csrf_checks=True)  # raises on any exception in a view

    response = _post_login(client, DEMO_KEY)

    assert response.status_code == 503
    assert "The Horde is not answering right now" in response.content.decode()
    assert DEMO_KEY not in response.content.decode()
    assert not Rater.objects.filter(horde_id=1001).exists()
    assert _post_login(client, DEMO_KEY).status_code == 302


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_the_apis_key_check_answers_503_with_a_message_then_works(make_images, horde, short_timeout, how):
    make_images(1)
    horde.misbehave("/v2/find_user", 1, how, seconds=2)

    response = api_get("/api/v1/rating/new", apikey=DEMO_KEY)

    assert response.status_code == 503
    assert "Horde" in response.json()["message"]
    assert DEMO_KEY not in response.content.decode()
    assert api_get("/api/v1/rating/new", apikey=DEMO_KEY).status_code == 200
