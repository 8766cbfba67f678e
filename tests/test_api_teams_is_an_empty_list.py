"""GET /api/v1/teams answers the shape clients expect: a list, empty until teams exist."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_teams_is_an_empty_json_list():
    response = Client().get("/api/v1/teams")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == []
