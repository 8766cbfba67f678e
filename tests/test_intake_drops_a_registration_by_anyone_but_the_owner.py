"""When the Horde's forward names another owner than the rater who registered a set, that rater's description goes.

So that a key holder who registers someone else's request id first cannot give the owner's ratings their prompt,
parameters or pictures: the export shows the owner's ratings with the owner's id and nothing the other one said.
"""

import uuid

import pytest

from ratings_site.generations.models import GenerationImage, GenerationSet
from tests.api_helpers import post_json, registration
from tests.conftest import SECOND_KEY
from tests.intake_helpers import forward, horde_payload, intake_token  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intake_token")]


def test_the_squatters_prompt_parameters_and_pictures_are_dropped(horde):
    request_id = str(uuid.uuid4())
    squat = registration(
        request_id,
        prompt="not what the owner asked for",
        images=[{"id": "g1", "url": "https://attacker.example.org/1.png", "model": "Fake", "seed": "7"},
                {"id": "g9", "url": "https://attacker.example.org/9.png"}],
    )
    assert post_json("/api/v1/generations", squat, apikey=SECOND_KEY).status_code == 201

    response = forward(horde_payload(request_id, ["g1", "g2"], username="DemoRater#1001",
                                     ratings=[{"id": "g1", "rating": 9}, {"id": "g2", "rating": 3}]))

    assert response.status_code == 201
    stored = GenerationSet.objects.get(request_id=request_id)
    assert (stored.prompt, stored.negative_prompt, stored.params) == ("", "", {})
    assert (stored.rater.horde_id, stored.owner_known) == (1001, True)
    assert list(GenerationImage.objects.order_by("position").values_list("generation_id", "url", "model", "seed")) == [
        ("g1", "", "", ""), ("g2", "", "", "")
    ]


def test_the_owners_own_registration_is_kept(horde):
    request_id = str(uuid.uuid4())
    body = registration(request_id, images=[{"id": "g1", "url": "https://images.example.org/1.png"}, {"id": "g2"}])
    assert post_json("/api/v1/generations", body, apikey=SECOND_KEY).status_code == 201

    forward(horde_payload(request_id, ["g1", "g2"], username="SecondRater#1006", ratings=[{"id": "g1", "rating": 8}]))

    stored = GenerationSet.objects.get(request_id=request_id)
    assert (stored.prompt, stored.owner_known, stored.rater.horde_id) == (body["prompt"], True, 1006)
    assert stored.images.get(generation_id="g1").url == "https://images.example.org/1.png"
