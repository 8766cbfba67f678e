"""Changing a rating moves the image's sums by exactly the difference (artifacts may appear or go),
keeps its count, its place in the queue and its reward; malformed input changes nothing."""

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import InvalidRating, change_rating
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.helpers import counters_from_ratings, image_counters, in_queue, rate_via_page


@pytest.fixture
def image_rated_twice(login, make_images):
    """An image rated 7 with artifacts 2 by DemoRater#1001 and 4 without artifacts by SecondRater#1006."""
    [image] = make_images(1)
    rate_via_page(login(DEMO_KEY), image, rating=7, artifacts=2)
    rate_via_page(login(SECOND_KEY), image, rating=4)
    assert image_counters(image) == (2, 11, 1, 2)
    return image


def _mine(image) -> tuple[Rater, Rating]:
    rater = Rater.objects.get(horde_id=1001)
    return rater, Rating.objects.get(rater=rater, image=image)


def test_a_new_score_and_new_artifacts_move_the_sums_by_the_difference(image_rated_twice):
    rater, rating = _mine(image_rated_twice)

    changed = change_rating(rater=rater, rating_id=rating.pk, rating="8", artifacts="1")

    assert (changed.pk, changed.rating, changed.artifacts) == (rating.pk, 8, 1)
    assert Rating.objects.values_list("rating", "artifacts").get(pk=rating.pk) == (8, 1)
    assert image_counters(image_rated_twice) == (2, 12, 1, 1) == counters_from_ratings(image_rated_twice)


def test_dropping_the_artifacts_takes_them_off_the_count(image_rated_twice):
    rater, rating = _mine(image_rated_twice)

    change_rating(rater=rater, rating_id=rating.pk, rating=7, artifacts="")

    assert image_counters(image_rated_twice) == (2, 11, 0, 0) == counters_from_ratings(image_rated_twice)


def test_adding_artifacts_adds_them_to_the_count(image_rated_twice):
    rater = Rater.objects.get(horde_id=1006)
    rating = Rating.objects.get(rater=rater)

    change_rating(rater=rater, rating_id=rating.pk, rating=1, artifacts=5)

    assert image_counters(image_rated_twice) == (2, 8, 2, 7) == counters_from_ratings(image_rated_twice)


def test_the_same_values_change_nothing(image_rated_twice):
    rater, rating = _mine(image_rated_twice)

    change_rating(rater=rater, rating_id=rating.pk, rating=7, artifacts=2)

    assert image_counters(image_rated_twice) == (2, 11, 1, 2)


def test_the_reward_and_the_queue_are_unchanged(image_rated_twice):
    rater, rating = _mine(image_rated_twice)
    line = KudosReward.objects.get(rating=rating)

    change_rating(rater=rater, rating_id=rating.pk, rating=2, artifacts=5)

    assert KudosReward.objects.filter(rater=rater).count() == 1
    assert KudosReward.objects.values_list("pk", "amount", "status").get(rating=rating) == (line.pk, 5, line.status)
    assert in_queue(image_rated_twice)


@pytest.mark.parametrize(
    "rating, artifacts, message",
    [
        ("11", "1", "The rating must be from 1 to 10, not 11."),
        ("", "1", "Choose a rating from 1 to 10."),
        ("7", "6", "The artifacts rating must be from 0 to 5, not 6."),
        ("seven", "", "The rating must be a whole number from 1 to 10, not 'seven'."),
    ],
)
def test_malformed_input_is_refused_and_changes_nothing(image_rated_twice, rating, artifacts, message):
    rater, stored = _mine(image_rated_twice)

    with pytest.raises(InvalidRating) as refused:
        change_rating(rater=rater, rating_id=stored.pk, rating=rating, artifacts=artifacts)

    assert (refused.value.status, refused.value.message) == (400, message)
    assert Rating.objects.values_list("rating", "artifacts").get(pk=stored.pk) == (7, 2)
    assert image_counters(image_rated_twice) == (2, 11, 1, 2)
