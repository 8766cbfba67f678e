"""best="none": the rater says no image is clearly better, so no best (not even an inferred one), no pairs."""

import pytest

from ratings_site.generations.rules import SetRatingRefused, validate_set_rating

SET = ["a", "b", "c"]


def test_none_keeps_the_ratings_and_infers_no_best():
    valid = validate_set_rating(image_ids=SET, ratings=[{"id": "a", "rating": 9}, {"id": "b", "rating": 4}], best="none")
    assert valid.best is None
    assert valid.best_none is True
    assert [r.rating for r in valid.ratings] == [9, 4]
    assert valid.preference_pairs() == []
    assert valid.horde_body() == {"ratings": [{"id": "a", "rating": 9}, {"id": "b", "rating": 4}]}


def test_none_overrides_a_single_high_rating():
    valid = validate_set_rating(image_ids=SET, ratings=[{"id": "a", "rating": 9}], best="none")
    assert valid.best is None


def test_none_alone_is_refused():
    with pytest.raises(SetRatingRefused) as refused:
        validate_set_rating(image_ids=SET, ratings=None, best="none")
    assert "Rate at least one image" in refused.value.message
