"""A registration never claims or fills in a set that is already rated or that the Horde's forward brought.

So that an anonymous set published with its request id cannot be given an attacker's description, user id and
pictures: the next export shows the anonymous rater's ratings as they came, with no owner and no prompt.
"""

import uuid

import pytest

from ratings_site.generations.models import GenerationImage, GenerationSet, Source
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.intake_helpers import forward, horde_payload, intake_token  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intake_token")]

IDS = ["g1", "g2"]
RATINGS = [{"id": "g1", "rating": 9}, {"id": "g2", "rating": 4}]


def _pictures(request_id: str) -> list[tuple[str, str]]:
    return list(
        GenerationImage.objects.filter(generation_set__request_id=request_id)
        .order_by("position")
        .values_list("generation_id", "url")
    )


def test_an_anonymous_set_from_the_hordes_forward_cannot_be_registered():
    request_id = str(uuid.uuid4())
    assert forward(horde_payload(request_id, IDS, username="Anonymous#0", ratings=RATINGS)).status_code == 201
    attack = registration(
        request_id,
        prompt="something the rater never saw",
        images=[{"id": "g1", "url": "https://attacker.example.org/1.png", "model": "Fake", "seed": "1"},
                {"id": "g2", "url": "https://attacker.example.org/2.png"}],
    )

    response = post_json("/api/v1/generations", attack, apikey=SECOND_KEY)

    assert response.status_code == 403
    assert "Horde's forward" in response.json()["message"]
    stored = GenerationSet.objects.get(request_id=request_id)
    assert (stored.rater, stored.prompt, stored.params, stored.source) == (None, "", {}, Source.HORDE)
    assert _pictures(request_id) == [("g1", ""), ("g2", "")]


def test_even_the_named_owner_cannot_describe_a_set_the_forward_brought():
    request_id = str(uuid.uuid4())
    forward(horde_payload(request_id, IDS, username="DemoRater#1001", ratings=RATINGS))

    response = post_json("/api/v1/generations", registration(request_id, images=[{"id": "g1"}]), apikey=DEMO_KEY)

    assert response.status_code == 403
    assert GenerationSet.objects.get(request_id=request_id).prompt == ""


def test_a_set_rated_on_our_page_cannot_be_claimed_or_changed(horde, login):
    from ratings_site.demo.standin import DEMO_SET_FOUR
    from tests.generation_helpers import open_set, submit

    owner = login(DEMO_KEY)
    open_set(owner, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    submit(owner, DEMO_SET_FOUR, {ids[0]: 8})
    images = [{"id": image_id} for image_id in ids]

    by_another = post_json("/api/v1/generations", registration(DEMO_SET_FOUR, images=images), apikey=SECOND_KEY)
    by_its_rater = post_json("/api/v1/generations", registration(DEMO_SET_FOUR, images=images), apikey=DEMO_KEY)

    assert (by_another.status_code, by_its_rater.status_code) == (409, 409)
    assert "already rated" in by_another.json()["message"] and "already rated" in by_its_rater.json()["message"]
    stored = GenerationSet.objects.get(request_id=DEMO_SET_FOUR)
    assert (stored.rater.horde_id, stored.prompt, stored.params) == (1001, "", {})


def test_the_owners_same_registration_again_after_the_rating_still_answers_200(horde):
    body = registration()
    assert post_json("/api/v1/generations", body, apikey=DEMO_KEY).status_code == 201
    GenerationSet.objects.filter(request_id=body["request_id"]).update(rated_at="2026-01-01T00:00:00Z")

    again = post_json("/api/v1/generations", body, apikey=DEMO_KEY)
    changed = post_json("/api/v1/generations", {**body, "images": [*body["images"], {"id": "extra"}]}, apikey=DEMO_KEY)

    assert (again.status_code, changed.status_code) == (200, 409)
    assert GenerationImage.objects.count() == 3
