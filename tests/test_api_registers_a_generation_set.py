"""POST /api/v1/generations: a client registers a set ahead of its rating; 201, then 200 when it repeats."""

import uuid

import pytest

from ratings_site.generations.models import GenerationImage, GenerationSet, Source
from ratings_site.raters.models import Rater
from tests.api_helpers import CLIENT_AGENT, post_json, registration
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db


def test_it_records_the_set_with_its_images_and_answers_201(horde):
    body = registration(images=3)

    response = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["request_id"] == body["request_id"]
    assert (answer["prompt"], answer["negative_prompt"], answer["params"]) == (
        body["prompt"], body["negative_prompt"], body["params"]
    )
    assert [image["id"] for image in answer["images"]] == [image["id"] for image in body["images"]]
    assert answer["source"] == "client" and answer["rated"] is False
    assert answer["page"].endswith(f"/generations/{body['request_id']}/")
    stored = GenerationSet.objects.get(request_id=body["request_id"])
    assert stored.rater == Rater.objects.get(horde_id=1001)
    assert (stored.source, stored.client_agent, stored.params["steps"]) == (Source.CLIENT, CLIENT_AGENT, 30)
    images = list(stored.images.order_by("position"))
    assert [(i.generation_id, i.url, i.model, i.seed) for i in images] == [
        (b["id"], b["url"], b["model"], b["seed"]) for b in body["images"]
    ]
    assert {i.copy_state for i in images} == {GenerationImage.CopyState.WAITING}


def test_the_same_registration_again_answers_200_and_changes_nothing(horde):
    body = registration(images=2)
    first = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    again = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert GenerationSet.objects.count() == 1 and GenerationImage.objects.count() == 2


def test_the_request_id_is_kept_in_its_canonical_form(horde):
    request_id = uuid.uuid4()
    body = registration(str(request_id).upper())

    response = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert response.status_code == 201
    assert GenerationSet.objects.get().request_id == str(request_id)


def test_a_seed_may_be_a_number_and_url_model_seed_may_be_left_out(horde):
    body = registration(images=[{"id": "g-1", "seed": 12345}, {"id": "g-2"}])

    response = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert response.status_code == 201, response.content
    assert [(i.seed, i.url, i.model) for i in GenerationImage.objects.order_by("position")] == [
        ("12345", "", ""), ("", "", "")
    ]


def test_it_fills_in_a_set_known_from_the_horde_without_changing_it(horde):
    """A set a page opened first (no prompt, no owner, not rated): the registration adds the prompt and a missing
    link, and claims it. (A set the Horde's forward brought is refused:
    tests/test_registration_never_takes_a_rated_or_forwarded_set.py.)"""
    known = GenerationSet.objects.create(request_id=str(uuid.uuid4()), source=Source.PAGE)
    known.images.create(generation_id="g-1", position=0)
    body = registration(known.request_id, images=[{"id": "g-1", "url": "https://images.example.org/g1.webp"}])

    response = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert response.status_code == 200, response.content
    known.refresh_from_db()
    assert (known.prompt, known.source, known.rater.horde_id) == (body["prompt"], Source.PAGE, 1001)
    assert known.images.get().url == "https://images.example.org/g1.webp"


def test_a_registration_that_would_change_the_prompt_is_refused_with_409(horde):
    body = registration()
    post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    response = post_json("/api/v1/generations", {**body, "prompt": "something else"}, apikey=DEMO_KEY)

    assert response.status_code == 409
    assert "another prompt" in response.json()["message"]
    assert GenerationSet.objects.get().prompt == body["prompt"]
