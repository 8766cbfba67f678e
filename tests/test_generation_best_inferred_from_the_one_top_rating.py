"""With ratings and no pick, the one image holding the top rating is the best (the Horde's rule, §1)."""

from ratings_site.generations.rules import validate_set_rating

SET = ["a", "b", "c", "d"]


def test_the_one_top_rated_image_becomes_the_best():
    valid = validate_set_rating(
        image_ids=SET, ratings=[{"id": "a", "rating": 4}, {"id": "b", "rating": 9}, {"id": "c", "rating": 6}], best=None
    )
    assert valid.best == "b"
    assert valid.best_picked is False


def test_no_best_when_the_top_rating_is_shared_and_none_was_picked():
    valid = validate_set_rating(image_ids=SET, ratings=[{"id": "a", "rating": 8}, {"id": "b", "rating": 8}], best=None)
    assert valid.best is None
    assert valid.preference_pairs() == []


def test_a_picked_best_stands_when_nothing_ties():
    valid = validate_set_rating(image_ids=SET, ratings=[{"id": "a", "rating": 9}, {"id": "b", "rating": 5}], best="b")
    assert valid.best == "b"
    assert valid.best_picked is True


def test_a_one_image_set_has_no_best_to_infer():
    valid = validate_set_rating(image_ids=["a"], ratings=[{"id": "a", "rating": 10}], best=None)
    assert valid.best is None


def test_scores_are_read_by_the_shared_scales_from_text_too():
    valid = validate_set_rating(
        image_ids=SET, ratings=[{"id": "a", "rating": "7", "artifacts": "2"}, {"id": "b", "rating": 3.0}], best=None
    )
    assert [(r.id, r.rating, r.artifacts) for r in valid.ratings] == [("a", 7, 2), ("b", 3, None)]
