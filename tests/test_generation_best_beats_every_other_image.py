"""A best is stored as one preference per other non-faulted image of the set, rated or only shown."""

import pytest

from ratings_site.generations.models import GenerationSet, Preference, Source
from ratings_site.generations.rules import validate_set_rating
from ratings_site.generations.services import record_set_rating
from ratings_site.raters.models import Rater


@pytest.fixture
def generation_set(db):
    owner = Rater.objects.create(username="Picker#601", horde_id=601)
    generation_set = GenerationSet.objects.create(request_id="req-pairs", rater=owner, source=Source.PAGE)
    for position, (generation_id, state) in enumerate(
        [("p1", "ok"), ("p2", "censored"), ("p3", "faulted"), ("p4", "ok")]
    ):
        generation_set.images.create(generation_id=generation_id, position=position, state=state)
    return generation_set


def _pairs():
    return sorted(
        (p.winner.generation_id, p.loser.generation_id, p.source, p.rater.username)
        for p in Preference.objects.select_related("winner", "loser", "rater")
    )


def test_the_picked_best_beats_every_other_shown_image(generation_set):
    valid = validate_set_rating(
        image_ids=["p1", "p2", "p4"], ratings=[{"id": "p1", "rating": 6}], best="p4", faulted_ids=["p3"]
    )
    outcome = record_set_rating(generation_set=generation_set, rater=generation_set.rater, valid=valid, source="page")
    assert outcome.preferences == 2
    assert _pairs() == [("p4", "p1", "page", "Picker#601"), ("p4", "p2", "page", "Picker#601")]
    assert all(p.generation_set_id == generation_set.pk for p in Preference.objects.all())


def test_an_inferred_best_makes_the_same_pairs(generation_set):
    valid = validate_set_rating(
        image_ids=["p1", "p2", "p4"], ratings=[{"id": "p1", "rating": 9}, {"id": "p4", "rating": 5}], best=None
    )
    record_set_rating(generation_set=generation_set, rater=generation_set.rater, valid=valid, source="client")
    assert [(w, lo) for w, lo, *_ in _pairs()] == [("p1", "p2"), ("p1", "p4")]


def test_no_best_makes_no_pairs(generation_set):
    valid = validate_set_rating(
        image_ids=["p1", "p2", "p4"], ratings=[{"id": "p1", "rating": 8}, {"id": "p4", "rating": 8}], best=None
    )
    outcome = record_set_rating(generation_set=generation_set, rater=generation_set.rater, valid=valid, source="page")
    assert outcome.preferences == 0
    assert Preference.objects.count() == 0
