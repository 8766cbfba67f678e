"""Submitting the login form without a key: 400 and a message, the Horde is not asked."""

import pytest
from django.test import Client

from ratings_site.raters.models import Rater


@pytest.mark.parametrize("key", ["", "   "], ids=["empty", "blank"])
def test_it_answers_400_asking_for_a_key(db, horde, key):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    response = client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})

    assert response.status_code == 400
    assert "Paste your Horde API key" in response.content.decode()
    assert horde.requests == []
    assert Rater.objects.count() == 0


def test_it_answers_400_when_the_field_is_missing(db, horde):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    response = client.post("/login/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 400
    assert "Paste your Horde API key" in response.content.decode()
    assert horde.requests == []


def test_it_answers_400_with_a_message_for_an_empty_body(db, horde):
    # The CSRF token in a header (as htmx sends it) and nothing in the body.
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    response = client.post("/login/", headers={"X-CSRFToken": token})

    assert response.status_code == 400
    assert "Paste your Horde API key" in response.content.decode()
    assert horde.requests == []
