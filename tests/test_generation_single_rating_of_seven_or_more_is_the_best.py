"""One image of a larger set rated 7 or more counts as the best; rated 6 or less, it does not."""

import pytest

from ratings_site.generations.rules import validate_set_rating

SET = ["a", "b", "c"]


@pytest.mark.parametrize("rating", [7, 8, 10])
def test_a_single_rating_of_seven_or_more_is_the_best(rating):
    valid = validate_set_rating(image_ids=SET, ratings=[{"id": "b", "rating": rating}], best=None)
    assert valid.best == "b"
    assert valid.preference_pairs() == [("b", "a"), ("b", "c")]


@pytest.mark.parametrize("rating", [1, 6])
def test_a_single_rating_of_six_or_less_is_no_best(rating):
    valid = validate_set_rating(image_ids=SET, ratings=[{"id": "b", "rating": rating}], best=None)
    assert valid.best is None
    assert valid.preference_pairs() == []
