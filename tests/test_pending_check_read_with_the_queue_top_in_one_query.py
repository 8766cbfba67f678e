"""The rater's pending check (a check image served and not yet answered) is read in the same statement as the top of
the queue (ratings.selectors._pending_check_and_top_unseen): a card costs that one query and the read of the chosen
images, and the pending check still comes first, the oldest served first, never a hidden one or one without an
answer, left out when excluded; also when the rater has seen nearly all of the top page and the rest of the queue
is asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating, ServedImage
from ratings_site.ratings.selectors import QUEUE_PAGE_FACTOR, next_images_for
from tests.check_helpers import plain_checks


@pytest.fixture(autouse=True)
def no_captcha_draws(settings):
    settings.CAPTCHA_RATE = 0.0  # a draw adds a query and an image, at random


@pytest.fixture
def rater(db) -> Rater:
    return Rater.objects.create(username="Checked#7301", horde_id=7301)


def _serve(rater: Rater, check: Image, minutes_ago: int) -> None:
    ServedImage.objects.create(
        rater=rater, image=check, is_check=True, served_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_the_pending_check_comes_first_and_costs_no_query_of_its_own(rater, make_images, django_assert_num_queries):
    queue = make_images(5)
    [check] = plain_checks(1)
    _serve(rater, check, minutes_ago=1)

    with django_assert_num_queries(2):  # the pending check with the queue's top; the chosen images
        shown = next_images_for(rater, count=2)

    assert shown[0] == check
    assert shown[1] in queue


def test_without_a_pending_check_the_queue_is_served_in_as_many_queries(rater, make_images, django_assert_num_queries):
    queue = make_images(5)

    with django_assert_num_queries(2):
        shown = next_images_for(rater, count=2)

    assert len(shown) == 2 and set(shown) <= set(queue)


def test_the_oldest_served_check_first_never_a_hidden_one_or_one_without_an_answer(rater, make_images):
    make_images(5)
    hidden, unanswerable, older, newer = plain_checks(4)
    Image.objects.filter(pk=hidden.pk).update(hidden=True)
    Image.objects.filter(pk=unanswerable.pk).update(captcha_answer=None)  # e.g. a best-of check
    _serve(rater, hidden, minutes_ago=30)
    _serve(rater, unanswerable, minutes_ago=20)
    _serve(rater, newer, minutes_ago=1)
    _serve(rater, older, minutes_ago=10)

    assert next_images_for(rater, count=1) == [older]


def test_an_excluded_pending_check_is_left_out_and_the_queue_goes_on(rater, make_images):
    queue = make_images(3)
    [check] = plain_checks(1)
    _serve(rater, check, minutes_ago=1)

    shown = next_images_for(rater, exclude=[check.pk], count=2)

    assert check not in shown
    assert len(shown) == 2 and set(shown) <= set(queue)


def test_the_pending_check_is_known_when_the_rest_of_the_queue_is_asked(
    rater, make_images, settings, django_assert_num_queries
):
    settings.QUEUE_TOP_K = 2
    images = make_images(2 * QUEUE_PAGE_FACTOR + 3)  # more than the top page (2 × QUEUE_PAGE_FACTOR + 1 entries)
    # The rater has rated all of the queue but one image: the top page alone cannot answer, the anti-join does.
    kept = images[-1]
    Rating.objects.bulk_create(Rating(rater=rater, image=image, rating=5, artifacts=1) for image in images[:-1])
    [check] = plain_checks(1)
    _serve(rater, check, minutes_ago=1)

    with django_assert_num_queries(3):  # the pending check with the top page; the anti-join; the chosen images
        shown = next_images_for(rater, count=2)

    assert shown == [check, kept]
