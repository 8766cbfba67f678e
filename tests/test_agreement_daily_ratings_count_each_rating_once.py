"""Ratings per day (reliability.DailyRatings) are the counted ratings that exist now, by their UTC day and dataset:
a rating undone is no longer counted, and one undone then put back (ratings.restore: a new row with a new id and its
first time) is counted once, on its own day; a ban takes a rater's ratings out of every day they were made on. The
incremental run leaves what a rebuild and a direct count give."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.moderation import actions
from ratings_site.ratings import restore
from ratings_site.ratings.models import Rating
from ratings_site.reliability.agreement import refresh_agreement
from tests.agreement_helpers import days, direct_days, kept_equals_rebuilt_equals_direct, later, quick_ratings  # noqa: F401 (fixture)
from tests.moderation_helpers import horde_rater, rate

pytestmark = pytest.mark.usefixtures("no_captchas", "quick_ratings")


@pytest.fixture
def rated(make_images):
    images = make_images(4, dataset="set-a") + make_images(2, dataset="set-b")
    raters = [horde_rater() for _ in range(3)]
    for i, image in enumerate(images):
        for j, rater in enumerate(raters):
            rate(rater, image, 1 + (i + j) % 10, (i + 2 * j) % 6)
    return images, raters


def test_a_rating_undone_then_put_back_is_counted_once(rated):
    _, raters = rated
    kept_equals_rebuilt_equals_direct()
    total = sum(days().values())
    rating = Rating.objects.filter(rater=raters[0]).latest("pk")

    deleted = restore.delete_rating(rater=raters[0], rating_id=rating.pk)
    kept_equals_rebuilt_equals_direct()
    assert sum(days().values()) == total - 1

    restore.restore_rating(rater=raters[0], token=deleted.token)
    kept_equals_rebuilt_equals_direct()
    assert sum(days().values()) == total


def test_undone_and_put_back_between_two_runs_is_counted_once(rated):
    _, raters = rated
    refresh_agreement(now=later())
    rating = Rating.objects.filter(rater=raters[1]).latest("pk")

    deleted = restore.delete_rating(rater=raters[1], rating_id=rating.pk)
    restore.restore_rating(rater=raters[1], token=deleted.token)

    refresh_agreement(now=later())
    assert days() == direct_days()
    assert sum(days().values()) == Rating.objects.filter(counts=True).count()


def test_a_ban_takes_a_raters_ratings_out_of_each_day_and_an_unban_puts_them_back(rated):
    _, raters = rated
    two_days_ago = timezone.now() - timedelta(days=2)
    Rating.objects.filter(pk__in=Rating.objects.filter(rater=raters[2]).order_by("pk")[:3]).update(
        created_at=two_days_ago
    )
    kept_equals_rebuilt_equals_direct()
    assert len({day for day, _ in days()}) == 2

    actions.ban(actor=None, rater=raters[2], reason="a farmer")
    kept_equals_rebuilt_equals_direct()
    assert two_days_ago.date() not in {day for day, _ in days()}  # no row holds 0

    actions.unban(actor=None, rater=raters[2])
    kept_equals_rebuilt_equals_direct()
