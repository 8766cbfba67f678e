"""Each refusal of the best-of rule, with its message; a refused rating stores nothing."""

import pytest

from ratings_site.generations.models import GenerationRating, GenerationSet, Preference, Source
from ratings_site.generations.rules import SetRatingRefused, validate_set_rating
from ratings_site.generations.services import record_set_rating

SET = ["a", "b", "c"]
FAULTED = ["x"]

REFUSALS = {
    "best alone on a one-image set": (
        dict(image_ids=["a"], ratings=None, best="a"),
        "This set has only one image, so there is no best to pick: rate it instead.",
    ),
    "repeated image id": (
        dict(image_ids=SET, ratings=[{"id": "a", "rating": 5}, {"id": "a", "rating": 6}], best=None),
        "Image a is rated twice; rate each image once.",
    ),
    "rating above 10": (
        dict(image_ids=SET, ratings=[{"id": "a", "rating": 11}], best=None),
        "Image a: The rating must be from 1 to 10, not 11.",
    ),
    "rating below 1": (
        dict(image_ids=SET, ratings=[{"id": "a", "rating": 0}], best=None),
        "Image a: The rating must be from 1 to 10, not 0.",
    ),
    "rating missing": (
        dict(image_ids=SET, ratings=[{"id": "a"}], best=None),
        "Image a: Choose a rating from 1 to 10.",
    ),
    "artifacts above 5": (
        dict(image_ids=SET, ratings=[{"id": "a", "rating": 5, "artifacts": 6}], best=None),
        "Image a: The artifacts rating must be from 0 to 5, not 6.",
    ),
    "artifacts below 0": (
        dict(image_ids=SET, ratings=[{"id": "a", "rating": 5, "artifacts": -1}], best=None),
        "Image a: The artifacts rating must be from 0 to 5, not -1.",
    ),
    "rated id not in the set": (
        dict(image_ids=SET, ratings=[{"id": "zz", "rating": 5}], best=None),
        "Image zz is not part of this set.",
    ),
    "best not in the set": (
        dict(image_ids=SET, ratings=None, best="zz"),
        "Image zz is not part of this set.",
    ),
    "rated id faulted": (
        dict(image_ids=SET, ratings=[{"id": "x", "rating": 5}], best=None, faulted_ids=FAULTED),
        "Image x failed to generate and cannot be rated.",
    ),
    "best faulted": (
        dict(image_ids=SET, ratings=None, best="x", faulted_ids=FAULTED),
        "Image x failed to generate and cannot be rated.",
    ),
    "faulted id, not told it is faulted": (
        dict(image_ids=SET, ratings=None, best="x"),
        "Image x is not part of this set.",
    ),
    "neither ratings nor best": (
        dict(image_ids=SET, ratings=None, best=None),
        "Rate at least one image or pick the best.",
    ),
    "empty ratings and no best": (
        dict(image_ids=SET, ratings=[], best=""),
        "Rate at least one image or pick the best.",
    ),
    "ratings not a list": (
        dict(image_ids=SET, ratings={"a": 5}, best=None),
        "The ratings must be a list of {id, rating, artifacts}.",
    ),
    "a rating without an id": (
        dict(image_ids=SET, ratings=[{"rating": 5}], best=None),
        "Each rating must name an image of the set by its id.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_it_refuses_with_a_clear_message(case):
    arguments, message = case
    with pytest.raises(SetRatingRefused) as refused:
        validate_set_rating(**arguments)
    assert refused.value.message == message
    assert refused.value.status == 400


def _rate(generation_set, ratings, best):
    ids = [i.generation_id for i in generation_set.images.exclude(state="faulted")]
    faulted = [i.generation_id for i in generation_set.images.filter(state="faulted")]
    valid = validate_set_rating(image_ids=ids, ratings=ratings, best=best, faulted_ids=faulted)
    return record_set_rating(generation_set=generation_set, rater=None, valid=valid, source=Source.PAGE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ratings, best",
    [
        ([{"id": "a", "rating": 9}, {"id": "b", "rating": 11}], None),
        ([{"id": "a", "rating": 9}, {"id": "x", "rating": 5}], None),
        ([{"id": "a", "rating": 8}, {"id": "b", "rating": 8}], "c"),
    ],
    ids=["one rating off the scale", "one faulted", "best outside a tie"],
)
def test_a_refused_rating_stores_nothing(ratings, best):
    generation_set = GenerationSet.objects.create(request_id="req-refused", source=Source.PAGE)
    for position, (generation_id, state) in enumerate([("a", "ok"), ("b", "ok"), ("c", "ok"), ("x", "faulted")]):
        generation_set.images.create(generation_id=generation_id, position=position, state=state)

    with pytest.raises(SetRatingRefused):
        _rate(generation_set, ratings, best)

    generation_set.refresh_from_db()
    assert generation_set.rated_at is None and generation_set.best is None
    assert GenerationRating.objects.count() == 0
    assert Preference.objects.count() == 0
