"""A rating can be undone (or changed) for RATING_UNDO_MINUTES after it was saved, only by its rater;
a refusal carries its HTTP status and a message, and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import RatingNotFound, TooLateToChange, change_rating, undo_rating
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.helpers import image_counters, rate_via_page


@pytest.fixture
def rated(login, make_images):
    """DemoRater#1001's rating (7, artifacts 2) of one image; returns (rater, rating)."""
    [image] = make_images(1)
    rate_via_page(login(DEMO_KEY), image, rating=7, artifacts=2)
    return Rater.objects.get(horde_id=1001), Rating.objects.get()


def _saved_ago(rating: Rating, minutes: float) -> None:
    Rating.objects.filter(pk=rating.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_the_default_window_is_ten_minutes(settings):
    assert settings.RATING_UNDO_MINUTES == 10


def test_a_rating_saved_9_minutes_ago_can_be_undone(rated):
    rater, rating = rated
    _saved_ago(rating, 9)

    undo_rating(rater=rater, rating_id=rating.pk)

    assert not Rating.objects.exists()


def test_a_rating_saved_11_minutes_ago_is_final(rated):
    rater, rating = rated
    _saved_ago(rating, 11)
    before = image_counters(rating.image)

    with pytest.raises(TooLateToChange) as refused:
        undo_rating(rater=rater)

    assert refused.value.status == 403
    assert refused.value.message == (
        "Ratings can be changed or undone for 10 minutes after they are saved; this one was saved 11 minutes ago."
    )
    assert Rating.objects.filter(pk=rating.pk).exists()
    assert image_counters(rating.image) == before
    assert KudosReward.objects.get().rating_id == rating.pk


def test_changing_follows_the_same_window(rated):
    rater, rating = rated
    _saved_ago(rating, 9)
    change_rating(rater=rater, rating_id=rating.pk, rating=8, artifacts=1)
    _saved_ago(rating, 11)  # a change does not restart the window

    with pytest.raises(TooLateToChange):
        change_rating(rater=rater, rating_id=rating.pk, rating=2, artifacts=None)

    assert Rating.objects.values_list("rating", "artifacts").get() == (8, 1)


def test_the_window_follows_the_setting(rated, settings):
    rater, rating = rated
    _saved_ago(rating, 11)
    settings.RATING_UNDO_MINUTES = 15

    undo_rating(rater=rater)

    assert not Rating.objects.exists()


def test_a_window_of_zero_makes_ratings_final_at_once(rated, settings):
    rater, _rating = rated
    settings.RATING_UNDO_MINUTES = 0

    with pytest.raises(TooLateToChange) as refused:
        undo_rating(rater=rater)

    assert refused.value.message == "Ratings are final once they are saved; this one was saved just now."


def test_someone_elses_rating_is_not_found_and_stays(rated, login):
    _owner, rating = rated
    login(SECOND_KEY)
    someone = Rater.objects.get(horde_id=1006)

    with pytest.raises(RatingNotFound) as refused:
        undo_rating(rater=someone, rating_id=rating.pk)
    assert refused.value.status == 404
    assert refused.value.message.startswith("Nothing to undo")
    with pytest.raises(RatingNotFound):
        change_rating(rater=someone, rating_id=rating.pk, rating=1)

    assert Rating.objects.values_list("pk", "rating", "artifacts").get() == (rating.pk, 7, 2)


def test_without_an_id_the_latest_rating_is_undone(rated, login, make_images):
    rater, first = rated
    [image] = make_images(1)
    rate_via_page(login(DEMO_KEY), image, rating=3)

    undone = undo_rating(rater=rater)

    assert (undone.image, undone.rating) == (image, 3)
    assert list(Rating.objects.values_list("pk", flat=True)) == [first.pk]


def test_nothing_to_undo_answers_404(login):
    login(DEMO_KEY)

    with pytest.raises(RatingNotFound) as refused:
        undo_rating(rater=Rater.objects.get(horde_id=1001))

    assert (refused.value.status, refused.value.message) == (404, "Nothing to undo: you have no ratings to undo.")
