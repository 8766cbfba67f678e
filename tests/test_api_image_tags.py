"""The API's tag calls: GET /api/v1/tags (the vocabulary, no key), GET /api/v1/image/<id>/tags (every tag's count,
and the caller's tags with the apikey header, [] without), PUT /api/v1/image/<id>/tags {"tags": [...]} (the caller's
whole set). Bad input is a 4xx with {"message"}, never a 500 and never a half-stored set."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ratings_site.moderation import actions
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import RaterTag
from tests.api_helpers import CLIENT_AGENT
from tests.check_helpers import plain_checks
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.rating_api_helpers import api_get

ZEROS = {"watermark": 0, "text": 0, "nsfw": 0, "broken": 0, "not_artwork": 0}
UNKNOWN = "00000000-0000-4000-8000-000000000000"

pytestmark = pytest.mark.usefixtures("no_captchas")


def put_tags(
    image_id: Any,
    body: Any = None,
    *,
    apikey: str | None = DEMO_KEY,
    raw: bytes | None = None,
    content_type: str = "application/json",
):
    headers = {"Client-Agent": CLIENT_AGENT}
    if apikey is not None:
        headers["apikey"] = apikey
    data = raw if raw is not None else json.dumps(body)
    return Client().put(f"/api/v1/image/{image_id}/tags", data=data, content_type=content_type, headers=headers)


def get_tags(image_id: Any, *, apikey: str | None = None):
    return api_get(f"/api/v1/image/{image_id}/tags", apikey=apikey)


def refused(response, status: int) -> str:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["message"]


@pytest.mark.django_db
def test_the_vocabulary_needs_no_key() -> None:
    response = api_get("/api/v1/tags")

    assert response.status_code == 200
    assert response.json() == [
        {"tag": "watermark", "label": "Watermark"},
        {"tag": "text", "label": "Text"},
        {"tag": "nsfw", "label": "NSFW"},
        {"tag": "broken", "label": "Broken"},
        {"tag": "not_artwork", "label": "Not an artwork"},
    ]


def test_put_sets_the_callers_tags_and_get_shows_counts_and_mine(make_images) -> None:
    (image,) = make_images(1)

    assert get_tags(image.public_id).json() == {"counts": ZEROS, "mine": []}

    first = put_tags(image.public_id, {"tags": ["nsfw", "watermark", "nsfw"]})
    assert first.status_code == 200, first.content
    assert first.json() == {"counts": {**ZEROS, "watermark": 1, "nsfw": 1}, "mine": ["watermark", "nsfw"]}
    second = put_tags(image.public_id, {"tags": ["nsfw"]}, apikey=SECOND_KEY)
    assert second.json() == {"counts": {**ZEROS, "watermark": 1, "nsfw": 2}, "mine": ["nsfw"]}

    assert get_tags(image.public_id, apikey=DEMO_KEY).json() == {
        "counts": {**ZEROS, "watermark": 1, "nsfw": 2},
        "mine": ["watermark", "nsfw"],
    }
    assert get_tags(image.public_id).json()["mine"] == []  # no key: nobody's

    # The whole set: what is left out is taken away; [] takes all.
    assert put_tags(image.public_id, {"tags": ["text"]}).json() == {
        "counts": {**ZEROS, "text": 1, "nsfw": 1},
        "mine": ["text"],
    }
    assert put_tags(image.public_id, {"tags": []}).json() == {"counts": {**ZEROS, "nsfw": 1}, "mine": []}
    assert sorted(RaterTag.objects.values_list("rater__horde_id", "tag")) == [(1006, "nsfw")]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"tags": ["watermark", "sparkly"]}, "Unknown tag 'sparkly'"),
        ({"tags": [7]}, "Unknown tag 7"),
        ({"tags": [None, ["text"]]}, "Unknown tag None"),
        ({"tags": "watermark"}, 'JSON object {"tags": [...]}'),
        ({"tag": ["watermark"]}, 'JSON object {"tags": [...]}'),
        (["watermark"], 'JSON object {"tags": [...]}'),
        ({}, 'JSON object {"tags": [...]}'),
    ],
)
def test_bad_bodies_are_400_and_store_nothing(make_images, body: Any, words: str) -> None:
    (image,) = make_images(1)
    put_tags(image.public_id, {"tags": ["text"]})

    assert words in refused(put_tags(image.public_id, body), 400)

    assert list(RaterTag.objects.values_list("tag", flat=True)) == ["text"]  # the set before stays whole


def test_an_unknown_tag_names_the_vocabulary_and_its_code(make_images) -> None:
    (image,) = make_images(1)
    response = put_tags(image.public_id, {"tags": ["sparkly"]})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Unknown tag 'sparkly': the tags are watermark, text, nsfw, broken, not_artwork.",
        "code": "unknown_tag",
    }


def test_bodies_that_are_not_json_are_refused(make_images) -> None:
    (image,) = make_images(1)
    refused(put_tags(image.public_id, raw=b"tags=text", content_type="text/plain"), 415)
    refused(put_tags(image.public_id, raw=b'{"tags": [', content_type="application/json"), 400)


@pytest.mark.django_db
@pytest.mark.parametrize("image_id", [UNKNOWN, "not-a-uuid", "1"])
def test_unknown_images_are_404(image_id: str) -> None:
    assert "No image has this id" in refused(get_tags(image_id), 404)
    assert "No image has this id" in refused(put_tags(image_id, {"tags": ["text"]}), 404)


def test_an_image_of_a_dataset_that_is_not_public_is_unknown(make_images) -> None:
    (image,) = make_images(1, dataset="private-set")
    image.dataset.public = False
    image.dataset.save(update_fields=["public"])
    refused(get_tags(image.public_id), 404)
    refused(put_tags(image.public_id, {"tags": ["text"]}), 404)


def test_an_image_not_being_rated_cannot_be_tagged(make_images) -> None:
    (image,) = make_images(1, hidden=True)
    assert "not available for rating" in refused(put_tags(image.public_id, {"tags": ["text"]}), 404)
    assert not RaterTag.objects.exists()


def test_a_key_is_needed_to_set_tags_and_a_bad_one_is_refused(make_images) -> None:
    (image,) = make_images(1)
    assert "apikey" in refused(put_tags(image.public_id, {"tags": ["text"]}, apikey=None), 401)
    refused(put_tags(image.public_id, {"tags": ["text"]}, apikey="demo-shared-0004"), 401)
    refused(get_tags(image.public_id, apikey="demo-shared-0004"), 401)
    assert not RaterTag.objects.exists()


def test_a_banned_rater_may_not_tag(make_images) -> None:
    (image,) = make_images(1)
    put_tags(image.public_id, {"tags": ["text"]})
    actions.ban(actor=None, rater=Rater.objects.get(horde_id=1001), reason="Rated at random.")

    assert "banned" in refused(put_tags(image.public_id, {"tags": ["nsfw"]}), 403)

    assert list(RaterTag.objects.values_list("tag", flat=True)) == ["text"]


def test_a_check_image_answers_as_any_image_even_on_a_later_get(make_images) -> None:
    (check,) = plain_checks(1)

    assert get_tags(check.public_id, apikey=DEMO_KEY).json() == {"counts": ZEROS, "mine": []}
    response = put_tags(check.public_id, {"tags": ["watermark"]})

    assert response.status_code == 200
    assert response.json() == {"counts": {**ZEROS, "watermark": 1}, "mine": ["watermark"]}
    assert get_tags(check.public_id, apikey=DEMO_KEY).json() == {
        "counts": {**ZEROS, "watermark": 1},
        "mine": ["watermark"],
    }


def test_the_old_rating_call_answers_as_before(make_images) -> None:
    (image,) = make_images(1)
    served = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()
    assert set(served) == {"id", "url", "dataset_id"}
    response = Client().post(
        f"/api/v1/rating/{served['id']}",
        data=json.dumps({"rating": 7, "tags": ["text"]}),  # a field the old call never knew: ignored, as before
        content_type="application/json",
        headers={"apikey": DEMO_KEY, "Client-Agent": CLIENT_AGENT},
    )
    assert response.status_code == 201
    assert set(response.json()) == {"reward", "message"}
    assert not RaterTag.objects.exists()
