"""The agreement figures (reliability.agreement) are kept incrementally: after ratings are added, changed, undone,
invalidated and restored, a rater is banned and unbanned, and an image hidden and shown again (through the real
rules: ratings.services, moderation.actions), `refresh_agreement()` leaves exactly the figures, and the ratings per
day, that a rebuild from scratch (`refresh_agreement(full=True)`) and a direct computation from the counted ratings
give. Ratings younger than the safety lag wait for the next run, and a run with nothing new costs the same few
queries however many ratings exist.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings_site.moderation import actions
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import change_rating, undo_rating
from ratings_site.reliability.agreement import refresh_agreement
from ratings_site.reliability.models import AgreementProgress, DatasetAgreement, StaleUnit
from tests.agreement_helpers import (  # noqa: F401 (fixture)
    assert_same,
    days,
    direct,
    kept_equals_rebuilt_equals_direct,
    later,
    quick_ratings,
    stored,
)
from tests.moderation_helpers import horde_rater, rate

pytestmark = pytest.mark.usefixtures("no_captchas", "quick_ratings")


@pytest.fixture
def rated(make_images):
    """Two datasets; four raters, with artifacts on most ratings, one image rated once only."""
    images = make_images(6, dataset="set-a") + make_images(3, dataset="set-b")
    raters = [horde_rater() for _ in range(4)]
    scores = [(7, 1), (8, 1), (6, 2), (9, 0), (3, 4), (2, 5), (5, None), (7, 2), (8, 1)]
    for i, image in enumerate(images):
        for j, rater in enumerate(raters[: 1 if i == 5 else 2 + i % 3]):
            rating, artifacts = scores[(i + j) % len(scores)]
            rate(rater, image, rating, artifacts)
    return images, raters


def test_new_ratings_are_taken_in_and_counted_per_day(rated):
    run = refresh_agreement(now=later())

    assert run.ratings_taken == Rating.objects.count()
    assert_same(stored(), direct())
    today = timezone.now().date()
    assert days() == {
        (today, dataset_id): Rating.objects.filter(image__dataset_id=dataset_id).count() for dataset_id in direct()
    }
    assert all(row.rating_alpha is not None for row in DatasetAgreement.objects.all())


def test_each_change_is_kept_incrementally_as_a_rebuild_and_a_direct_count_give(rated):
    images, raters = rated
    kept_equals_rebuilt_equals_direct()

    rate(raters[3], images[5], 1, 5)  # added
    kept_equals_rebuilt_equals_direct()

    mine = Rating.objects.filter(rater=raters[0]).order_by("pk")
    change_rating(rater=raters[0], rating_id=mine[0].pk, rating=2, artifacts=5)  # changed
    assert StaleUnit.objects.filter(image_id=mine[0].image_id).exists()
    kept_equals_rebuilt_equals_direct()

    undo_rating(rater=raters[1])  # undone: their latest
    kept_equals_rebuilt_equals_direct()

    act = actions.invalidate_rating(actor=None, rating=mine[1], reason="rated without looking")  # invalidated
    kept_equals_rebuilt_equals_direct()
    actions.undo(actor=None, action=act, reason="it was fine")  # restored
    kept_equals_rebuilt_equals_direct()

    actions.ban(actor=None, rater=raters[2], reason="a farmer")  # banned: none of theirs counts
    assert Rating.objects.filter(rater=raters[2], counts=True).count() == 0
    kept_equals_rebuilt_equals_direct()
    actions.unban(actor=None, rater=raters[2])
    kept_equals_rebuilt_equals_direct()

    hidden = actions.hide_image(actor=None, image=images[0], reason="off topic")  # hidden: out, as in the export
    assert StaleUnit.objects.filter(image_id=images[0].pk).exists()
    kept_equals_rebuilt_equals_direct()
    actions.undo(actor=None, action=hidden, reason="it was fine")  # shown again
    kept_equals_rebuilt_equals_direct()


def test_the_daily_counts_of_a_rebuild_are_the_counted_ratings(rated):
    _, raters = rated
    actions.ban(actor=None, rater=raters[0], reason="a farmer")
    refresh_agreement(full=True, now=later())
    today = timezone.now().date()
    assert sum(days().values()) == Rating.objects.filter(counts=True).count()
    assert set(days()) == {(today, dataset_id) for dataset_id in direct()}


def test_ratings_younger_than_the_lag_wait_for_the_next_run(rated, make_images):
    images, raters = rated
    refresh_agreement(now=later())
    before, watermark = stored(), AgreementProgress.objects.get().last_rating_id

    late = make_images(1, dataset="set-a")[0]
    for rater in raters[:3]:
        rate(rater, late, 4, 2)

    run = refresh_agreement()  # now: the new ratings are seconds old
    assert run.ratings_taken == 0
    assert AgreementProgress.objects.get().last_rating_id == watermark
    assert_same(stored(), before)

    run = refresh_agreement(now=later())
    assert run.ratings_taken == 3
    assert_same(stored(), direct())
    assert AgreementProgress.objects.get().last_rating_id == Rating.objects.latest("pk").pk


def test_the_watermark_stops_before_the_first_young_rating(rated, make_images):
    """A young rating with a lower id than an old one (ids are handed out before commit): neither is passed."""
    images, raters = rated
    refresh_agreement(now=later())
    watermark = AgreementProgress.objects.get().last_rating_id
    late = make_images(1, dataset="set-b")[0]
    rate(raters[0], late, 5)
    rate(raters[1], late, 6)
    first, second = Rating.objects.filter(image=late).order_by("pk")
    Rating.objects.filter(pk=first.pk).update(created_at=timezone.now())
    Rating.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    assert refresh_agreement().ratings_taken == 0
    assert AgreementProgress.objects.get().last_rating_id == watermark


def _queries_of_an_idle_run() -> int:
    with CaptureQueriesContext(connection) as queries:
        run = refresh_agreement(now=later())
    assert run.ratings_taken == 0 and run.images_read == 0
    return len(queries)


def test_a_run_with_nothing_new_costs_the_same_few_queries_at_any_size(rated, make_images):
    _, raters = rated
    refresh_agreement(now=later())
    small = _queries_of_an_idle_run()

    for image in make_images(30, dataset="set-a"):
        for rater in raters:
            rate(rater, image, 6, 1)
    refresh_agreement(now=later())

    assert _queries_of_an_idle_run() == small <= 8
