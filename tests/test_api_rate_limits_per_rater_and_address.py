"""The API's rate limits: API_REQUESTS_PER_MINUTE_PER_ADDRESS calls a minute from one address and
API_REQUESTS_PER_MINUTE_PER_RATER from one rater (whatever address they call from); past them 429 {"message"}
with Retry-After, the seconds left in the minute. The Horde's own forward of rated sets is not limited."""

import uuid

import pytest

from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.intake_helpers import forward, horde_address_listed, horde_payload  # noqa: F401  (a fixture)
from tests.rate_limit_helpers import wait_for_a_fresh_window
from tests.rating_api_helpers import api_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_one_address_is_limited(settings):
    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 3
    wait_for_a_fresh_window()
    for _ in range(3):
        assert api_get("/api/v1/teams", address="198.51.100.1").status_code == 200

    refused = api_get("/api/v1/teams", address="198.51.100.1")

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {"message": f"Too many requests: wait {refused['Retry-After']} seconds, then try again."}
    # Another address is not held back.
    assert api_get("/api/v1/teams", address="198.51.100.2").status_code == 200


def test_one_rater_is_limited_across_addresses(make_images, settings):
    settings.API_REQUESTS_PER_MINUTE_PER_RATER = 3
    make_images(3)
    wait_for_a_fresh_window()
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        assert api_get("/api/v1/rating/new", apikey=DEMO_KEY, address=address).status_code == 200

    refused = api_get("/api/v1/rating/new", apikey=DEMO_KEY, address="198.51.100.4")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    # Another rater is not held back.
    assert api_get("/api/v1/rating/new", apikey=SECOND_KEY, address="198.51.100.4").status_code == 200


def test_the_hordes_forward_of_rated_sets_is_not_limited(settings, horde_address_listed):
    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 1
    wait_for_a_fresh_window()
    answers = []
    for _ in range(3):
        generation = str(uuid.uuid4())
        payload = horde_payload(str(uuid.uuid4()), [generation], ratings=[{"id": generation, "rating": 7}])
        answers.append(forward(payload, token=None).status_code)  # as the Horde: no credential, a listed address

    assert answers == [201, 201, 201]
