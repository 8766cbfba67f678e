"""A malformed forward gets 400 with {"message"}: not JSON, wrong types, ids not in the set, scores off their
scales, neither ratings nor best. Nothing is stored."""

import uuid

import pytest

from ratings_site.generations.models import GenerationImage, GenerationRating, GenerationSet
from ratings_site.raters.models import Rater
from tests.intake_helpers import forward, horde_payload, intake_token  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intake_token")]

SET = str(uuid.uuid4())
IDS = ["g1", "g2", "g3"]
GOOD = horde_payload(SET, IDS, ratings=[{"id": "g1", "rating": 7}])


def changed(**fields) -> dict:
    return {**GOOD, **fields}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ([GOOD], "Invalid data. Expected a dictionary"),
        ("a string", "Invalid data. Expected a dictionary"),
        ({k: v for k, v in GOOD.items() if k != "set"}, "set: This field is required."),
        (changed(set="../../etc"), "set: The request id must be"),
        (changed(set=12), "set: Must be text."),
        (changed(all_set_ids="g1"), "all_set_ids: Expected a list of items"),
        (changed(all_set_ids=[]), "all_set_ids: This list may not be empty."),
        (changed(all_set_ids=["g1", 2]), "all_set_ids[1]: Must be text."),
        (changed(all_set_ids=["g1", "g1"]), "all_set_ids lists an image twice"),
        ({k: v for k, v in GOOD.items() if k != "user"}, "user: This field is required."),
        (changed(user="DemoRater#1001"), "user: Invalid data. Expected a dictionary"),
        (changed(user={"trusted": True}), "user.username: This field is required."),
        (changed(user={"username": "NoId"}), "user.username must be the Horde user's alias"),
        (changed(user={"username": "Bad#-4"}), "user.username must be the Horde user's alias"),
        (changed(user={"username": "Huge#99999999999999999999"}), "user.username must be"),
        (changed(ratings={"id": "g1", "rating": 7}), "ratings: Expected a list of items"),
        (changed(ratings=["g1"]), "ratings[0]: Expected a dictionary"),
        (changed(ratings=[{"id": "g9", "rating": 7}]), "Image g9 is not part of this set."),
        (changed(ratings=[{"id": "g1", "rating": 11}]), "The rating must be from 1 to 10, not 11."),
        (changed(ratings=[{"id": "g1", "rating": 0}]), "The rating must be from 1 to 10, not 0."),
        (changed(ratings=[{"id": "g1", "rating": "eight"}]), "The rating must be a whole number"),
        (changed(ratings=[{"id": "g1", "rating": 7, "artifacts": 6}]), "artifacts rating must be from 0 to 5"),
        (changed(ratings=[{"id": "g1", "rating": 7}, {"id": "g1", "rating": 3}]), "rated twice"),
        (changed(ratings=[{"rating": 7}]), "must name an image of the set"),
        (changed(ratings=None), "A rated set has ratings, a best, or both."),
        (changed(ratings=[], best=None), "A rated set has ratings, a best, or both."),
        (changed(best="g9"), "Image g9 is not part of this set."),
        (changed(best=3), "best: Must be text."),
        (changed(ratings=[{"id": "g1", "rating": 9}, {"id": "g2", "rating": 9}], best="g3"), "share the top rating"),
        (horde_payload(SET, ["g1"], best="g1"), "only one image"),
    ],
)
def test_it_says_what_is_wrong_and_stores_nothing(body, says):
    response = forward(body)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert says in response.json()["message"]
    assert not GenerationSet.objects.exists() and not GenerationImage.objects.exists()
    assert not GenerationRating.objects.exists() and not Rater.objects.exists()


@pytest.mark.parametrize("raw", [b"not json at all", b"{\"set\": ", b"\x00\x01", b'{"set": NaN}'])
def test_a_body_that_is_not_json_gets_400(raw):
    response = forward(None, raw=raw)

    assert response.status_code == 400
    assert "not JSON" in response.json()["message"] or "not UTF-8" in response.json()["message"]
