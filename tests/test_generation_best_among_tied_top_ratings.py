"""When several images tie on the top rating, a picked best must be one of them."""

import pytest

from ratings_site.generations.rules import SetRatingRefused, validate_set_rating

SET = ["a", "b", "c"]
TIED = [{"id": "a", "rating": 8}, {"id": "b", "rating": 8}, {"id": "c", "rating": 3}]


@pytest.mark.parametrize("best", ["a", "b"])
def test_a_best_among_the_tied_is_accepted(best):
    valid = validate_set_rating(image_ids=SET, ratings=TIED, best=best)
    assert valid.best == best
    assert valid.best_picked is True


def test_a_best_outside_the_tied_is_refused():
    with pytest.raises(SetRatingRefused) as refused:
        validate_set_rating(image_ids=SET, ratings=TIED, best="c")
    assert refused.value.message == "Images a, b share the top rating (8); the best must be one of them."
    assert refused.value.status == 400
