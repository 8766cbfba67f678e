"""A set is rated once per request id: recording it again stores nothing more and answers as the first did."""

import pytest

from ratings_site.generations.models import GenerationRating, GenerationSet, Preference, Source
from ratings_site.generations.rules import validate_set_rating
from ratings_site.generations.services import NotYourSet, record_set_rating
from ratings_site.raters.models import Rater

IDS = ["g1", "g2", "g3"]


@pytest.fixture
def generation_set(db):
    owner = Rater.objects.create(username="Owner#501", horde_id=501)
    generation_set = GenerationSet.objects.create(request_id="req-once", rater=owner, source=Source.CLIENT)
    for position, generation_id in enumerate(IDS):
        generation_set.images.create(generation_id=generation_id, position=position)
    return generation_set


def test_a_second_record_answers_as_the_first_and_doubles_nothing(generation_set):
    owner = generation_set.rater
    first_valid = validate_set_rating(
        image_ids=IDS, ratings=[{"id": "g1", "rating": 8, "artifacts": 1}, {"id": "g2", "rating": 8}], best="g2"
    )
    first = record_set_rating(
        generation_set=generation_set, rater=owner, valid=first_valid, source=Source.PAGE, client_agent="Site:1:x"
    )
    # The Horde's forward of the same set, with its own (tie-blind) idea of the best.
    again_valid = validate_set_rating(image_ids=IDS, ratings=[{"id": "g1", "rating": 8}], best="g1")
    again = record_set_rating(generation_set=generation_set, rater=None, valid=again_valid, source=Source.HORDE)

    assert first.duplicate is False and again.duplicate is True
    assert (again.best, again.ratings, again.preferences) == (first.best, first.ratings, first.preferences)
    assert again.best == "g2"
    assert GenerationRating.objects.count() == 2
    assert Preference.objects.count() == 2
    generation_set.refresh_from_db()
    assert generation_set.best.generation_id == "g2"
    assert generation_set.rated_via == Source.PAGE
    assert generation_set.client_agent == "Site:1:x"


def test_another_raters_record_is_refused_and_stores_nothing(generation_set):
    stranger = Rater.objects.create(username="Stranger#502", horde_id=502)
    valid = validate_set_rating(image_ids=IDS, ratings=[{"id": "g1", "rating": 5}], best=None)
    with pytest.raises(NotYourSet) as refused:
        record_set_rating(generation_set=generation_set, rater=stranger, valid=valid, source=Source.PAGE)
    assert refused.value.status == 403
    assert GenerationRating.objects.count() == 0
    generation_set.refresh_from_db()
    assert generation_set.rated_at is None


def test_a_set_without_an_owner_becomes_its_raters(db):
    generation_set = GenerationSet.objects.create(request_id="req-ownerless", source=Source.HORDE)
    generation_set.images.create(generation_id="only")
    rater = Rater.objects.create(username="Finder#503", horde_id=503)
    valid = validate_set_rating(image_ids=["only"], ratings=[{"id": "only", "rating": 6}], best=None)
    record_set_rating(generation_set=generation_set, rater=rater, valid=valid, source=Source.HORDE)
    generation_set.refresh_from_db()
    assert generation_set.rater == rater
