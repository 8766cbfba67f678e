"""The flood count's SQL is compiled once for every rater and moment (ratings.limits._flood_count_statement), and
still counts each rater's own ratings and check answers of the last minute only; a kind of rating whose SQL depends
on more than the rater and the moment is counted through the ORM on every call, never with another call's values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.raters.models import Rater
from ratings_site.ratings import limits
from ratings_site.ratings.limits import count_in_the_flood_limit, ratings_in_the_last_minute
from ratings_site.ratings.models import CaptchaAnswer, Rating

pytestmark = pytest.mark.django_db


def _raters(count: int) -> list[Rater]:
    return [Rater.objects.create(username=f"Flood#{n + 500}", horde_id=n + 500) for n in range(count)]


def _store(rater: Rater, images, *, answers: int = 0, ago: timedelta = timedelta(0)) -> None:
    """A rating of each of `images` (its first `answers` answered as checks instead), stored `ago`."""
    for n, image in enumerate(images):
        model = CaptchaAnswer if n < answers else Rating
        row = model.objects.create(
            rater=rater, image=image, **({"answer": 5, "passed": False} if n < answers else {"rating": 5})
        )
        model.objects.filter(pk=row.pk).update(created_at=timezone.now() - ago)


def test_each_rater_counts_their_own_ratings_and_answers_of_the_last_minute(make_images):
    first, second, idle = _raters(3)
    images = make_images(9)
    _store(first, images[:4], answers=1)
    _store(first, images[4:6], ago=timedelta(minutes=2))
    _store(second, images[6:9], answers=2, ago=timedelta(seconds=20))

    assert [ratings_in_the_last_minute(rater) for rater in (first, second, idle)] == [4, 3, 0]


def test_a_kind_that_filters_by_more_than_the_rater_and_the_moment_is_counted_by_the_orm(make_images):
    [rater] = _raters(1)
    images = make_images(5)
    _store(rater, images[:2], ago=timedelta(seconds=10))
    _store(rater, images[2:3], ago=timedelta(seconds=40))
    _store(rater, images[3:], ago=timedelta(minutes=5))
    assert ratings_in_the_last_minute(rater) == 3

    def again_in_the_last_half_minute(rater: Rater, since):  # a moment of its own: not the stand-in's
        return Rating.objects.filter(rater=rater, created_at__gte=since + timedelta(seconds=30))

    count_in_the_flood_limit(again_in_the_last_half_minute)
    try:
        assert ratings_in_the_last_minute(rater) == 3 + 2
    finally:
        limits._OTHER_KINDS.remove(again_in_the_last_half_minute)
    assert ratings_in_the_last_minute(rater) == 3
