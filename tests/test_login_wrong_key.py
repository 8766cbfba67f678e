"""A key the Horde does not know: 400, the form says so, nobody is logged in."""

from django.test import Client

from ratings_site.raters.models import Rater


def _post_login(client: Client, key: str):
    token = client.get("/login/").cookies["csrftoken"].value
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_it_answers_400_with_a_clear_message(db):
    client = Client(enforce_csrf_checks=True)

    response = _post_login(client, "not-a-real-key-123")

    assert response.status_code == 400
    page = response.content.decode()
    assert "The Horde does not know this API key" in page
    assert "aihorde.net/register" in page
    assert 'name="apikey"' in page  # the form is shown again
    assert "not-a-real-key-123" not in page  # the key is not echoed back
    assert Rater.objects.count() == 0


def test_nobody_is_logged_in_after_a_wrong_key(db):
    client = Client(enforce_csrf_checks=True)
    _post_login(client, "not-a-real-key-123")

    response = client.get("/rate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
