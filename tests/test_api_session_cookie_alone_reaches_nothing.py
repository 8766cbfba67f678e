"""API calls know only the apikey header: a rater logged in to the site, with a session cookie and no key, reaches
no API call (401), and a keyed call needs no CSRF token."""

import pytest

from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, csrf_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_a_logged_in_browser_without_a_key_gets_401(login, make_images):
    [image] = make_images(1)
    client = login(DEMO_KEY)
    token = csrf_token(client)

    calls = [
        client.get("/api/v1/rating/new"),
        client.post(f"/api/v1/rating/{image.public_id}", data={"rating": 7}, content_type="application/json",
                    headers={"X-CSRFToken": token}),
        client.get("/api/v1/user/ratings/"),
        client.post("/api/v1/generations", data={}, content_type="application/json", headers={"X-CSRFToken": token}),
    ]

    for response in calls:
        assert response.status_code == 401, response.content
        assert "apikey" in response.json()["message"]
    assert not Rating.objects.exists()


def test_a_keyed_rating_needs_no_csrf_token(make_images):
    from django.test import Client

    [image] = make_images(1)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/v1/rating/{image.public_id}", data={"rating": 7}, content_type="application/json",
        headers={"apikey": DEMO_KEY},
    )

    assert response.status_code == 201
