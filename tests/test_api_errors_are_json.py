"""Every refusal under /api/ is JSON {"message"}: unknown paths, a trailing slash, a wrong method, a wrong
content type. Never an HTML page."""

import pytest
from django.test import Client

from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/generations/", "/api/v1/rating/set/", "/api/v1/"])
def test_unknown_paths_are_json_404(path):
    for response in (Client().get(path), Client().post(path, data="{}", content_type="application/json")):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "No such API call" in response.json()["message"]


def test_a_wrong_method_is_json_405(horde):
    response = Client().get("/api/v1/generations", headers={"apikey": DEMO_KEY})

    assert response.status_code == 405
    assert response.json() == {"message": 'Method "GET" not allowed.'}


def test_a_form_body_is_json_415(horde):
    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=b"prompt=x",
                         content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["message"]


def test_registration_needs_no_csrf_token(horde):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/generations", data=registration(), content_type="application/json", headers={"apikey": DEMO_KEY}
    )
    assert response.status_code == 201
