"""A request id registered by one rater is theirs: another rater's registration gets 403; the anonymous key too."""

import pytest

from ratings_site.generations.models import GenerationSet
from ratings_site.raters.models import Rater
from tests.api_helpers import post_json, registration
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY, SECOND_KEY

pytestmark = pytest.mark.django_db


def test_another_rater_gets_403_and_changes_nothing(horde):
    body = registration()
    assert post_json("/api/v1/generations", body, apikey=DEMO_KEY).status_code == 201

    response = post_json("/api/v1/generations", {**body, "prompt": "mine now"}, apikey=SECOND_KEY)

    assert response.status_code == 403
    assert response.json() == {"message": "Another rater registered this request id.", "code": "registered_by_another"}
    stored = GenerationSet.objects.get()
    assert (stored.rater.horde_id, stored.prompt) == (1001, body["prompt"])


def test_the_anonymous_key_is_refused_with_403_and_makes_no_rater(horde):
    response = post_json("/api/v1/generations", registration(), apikey=ANONYMOUS_KEY)

    assert response.status_code == 403
    assert "anonymous key" in response.json()["message"]
    assert not GenerationSet.objects.exists() and not Rater.objects.exists()
    assert horde.requests == []  # refused before the Horde was asked


def test_a_missing_or_unknown_key_gets_401_in_json(horde):
    missing = post_json("/api/v1/generations", registration())
    unknown = post_json("/api/v1/generations", registration(), apikey="not-a-known-key-123")

    assert missing.status_code == 401 and "apikey header" in missing.json()["message"]
    assert unknown.status_code == 401 and "does not know this API key" in unknown.json()["message"]
    assert not GenerationSet.objects.exists()


def test_a_shared_key_is_refused(horde):
    response = post_json("/api/v1/generations", registration(), apikey="demo-shared-0004")

    assert response.status_code == 401 and "shared key" in response.json()["message"]
    assert not GenerationSet.objects.exists()


def test_the_horde_down_is_503_in_json(horde):
    horde.fail("/v2/find_user", 5, 503)

    response = post_json("/api/v1/generations", registration(), apikey=DEMO_KEY)

    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "not answering" in response.json()["message"]
