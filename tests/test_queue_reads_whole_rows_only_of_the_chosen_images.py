"""The queue chooses from light rows (ratings.selectors._top_unseen: ids, priority, ratings wanted, public id, seen)
and reads whole image rows, with their dataset, only for the images it answers, in one query. Its raw SQL (the top
page and the rater's pending check) answers as the ORM rule does on SQLite and PostgreSQL alike: public ids as
UUIDs, the ratings counts of the rows, the oldest served check that is neither hidden nor a best-of check."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings import selectors
from ratings_site.ratings.models import Rating, ServedImage, Skip
from tests.check_helpers import plain_checks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def _rater(n: int) -> Rater:
    return Rater.objects.create(username=f"Chooser#{n}", horde_id=8000 + n)


def _image_reads(captured) -> list[str]:
    """The queries that read whole image rows (their caption among the columns)."""
    return [query["sql"] for query in captured.captured_queries if '"caption"' in query["sql"]]


def test_only_the_answered_images_are_read_whole_and_with_their_dataset(make_images):
    make_images(60)
    rater = _rater(1)

    with CaptureQueriesContext(connection) as captured:
        images = selectors.next_images_for(rater, count=2)
        datasets = [image.dataset.slug for image in images]

    assert len(images) == 2 and datasets == ["test-set", "test-set"]
    [read] = _image_reads(captured)  # one query, and none for the datasets after it
    [ids] = re.findall(r'"datasets_image"\."id" IN \(([^)]*)\)', read)
    assert sorted(int(pk) for pk in ids.split(",")) == sorted(image.pk for image in images)
    assert '"datasets_dataset"' in read
    assert len(captured.captured_queries) == 2  # the pending check with the top of the queue, the two images


def test_the_light_rows_carry_what_the_image_rows_hold(make_images):
    images = make_images(20)
    Image.objects.filter(pk__in=[image.pk for image in images[::3]]).update(ratings_count=2)
    rater = _rater(2)
    Rating.objects.create(rater=rater, image=images[0], rating=5)
    Skip.objects.create(rater=rater, image=images[1])

    entries = selectors._top_unseen(rater, selectors._queue(None), count=30)

    assert {entry.image_id for entry in entries} == {image.pk for image in images[2:]}
    by_pk = {image.pk: image for image in Image.objects.filter(pk__in=[entry.image_id for entry in entries])}
    for entry in entries:
        assert isinstance(entry.public_id, uuid.UUID) and entry.public_id == by_pk[entry.image_id].public_id
        assert entry.ratings_count == by_pk[entry.image_id].ratings_count and not entry.seen


def test_the_preferred_image_is_found_by_its_public_id_in_the_light_rows(make_images):
    images = make_images(10)
    rater = _rater(3)
    wanted = images[7]

    with CaptureQueriesContext(connection) as captured:
        shown = selectors.next_images_for(rater, prefer=wanted.public_id, count=2)

    assert shown[0] == wanted
    assert len(captured.captured_queries) == 2  # found in the top: no query of its own


def _served(rater: Rater, image: Image, minutes_ago: int, *, is_check: bool = True) -> None:
    served_at = timezone.now() - timedelta(minutes=minutes_ago)
    ServedImage.objects.create(rater=rater, image=image, is_check=is_check, served_at=served_at)


def _pending_by_the_orm(rater: Rater) -> tuple[int, uuid.UUID] | None:
    served = ServedImage.objects.filter(
        rater=rater, is_check=True, image__hidden=False, image__captcha_answer__isnull=False
    ).order_by("served_at")
    return served.values_list("image_id", "image__public_id").first()


def test_the_pending_check_is_the_oldest_served_one_shown_again(make_images):
    [dataset_image] = make_images(1)
    hidden, best_of, older, newer, others = plain_checks(5)
    Image.objects.filter(pk=hidden.pk).update(hidden=True)
    Image.objects.filter(pk=best_of.pk).update(captcha_answer=None)  # a best-of check: bestof.checks serves those
    rater, someone = _rater(4), _rater(5)
    assert selectors._pending_check_for(rater) is None

    _served(rater, dataset_image, 60, is_check=False)  # an API serve of a dataset image: not a check
    _served(rater, hidden, 50)
    _served(rater, best_of, 40)
    _served(rater, newer, 10)
    _served(rater, older, 20)
    _served(someone, others, 30)

    pending = selectors._pending_check_for(rater)
    assert pending == (older.pk, older.public_id) == _pending_by_the_orm(rater)
    assert isinstance(pending[1], uuid.UUID)
    assert [image.pk for image in selectors.next_images_for(rater, count=2)] == [older.pk, dataset_image.pk]
    assert selectors._pending_check_for(someone) == (others.pk, others.public_id)


def test_a_pending_check_left_out_of_the_answer_lets_the_queue_answer(make_images):
    images = make_images(3)
    [check] = plain_checks(1)
    rater = _rater(6)
    _served(rater, check, 5)

    shown = selectors.next_images_for(rater, exclude=[check.pk], count=2)

    assert check not in shown and len(shown) == 2 and set(shown) <= set(images)
