"""A key that is not a printable ASCII token is refused with a clear 400 before it goes near the Horde."""

from __future__ import annotations

import pytest
from django.test import Client

from ratings_site.raters.models import Rater


@pytest.mark.parametrize(
    "key",
    ["demo-rater-0001\r\nX-Evil: 1", "ключ-🔑-demo", "demo-rater\x000001", "demo rater 0001", "demo-\t-0001"],
)
def test_it_refuses_the_key_with_a_message_and_never_asks_the_horde(db, horde, key):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    response = client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})

    assert response.status_code == 400
    page = response.content.decode()
    assert "printable" in page and "letters, digits and punctuation" in page
    assert horde.requests == []
    assert Rater.objects.count() == 0


def test_a_good_key_with_spaces_around_it_still_logs_in(db):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    response = client.post("/login/", {"apikey": "  demo-rater-0001 \n", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
