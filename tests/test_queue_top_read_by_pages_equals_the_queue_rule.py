"""The queue's top, read first from the top page of its index (ratings.selectors._top_unseen, so that PostgreSQL walks
the queue index whatever the rater's history), chooses exactly the entries the queue rule's one query chooses: the
first QUEUE_TOP_K entries in (priority, shuffle) order that the rater has not rated or skipped, NSFW ones left out
for a rater who hides them, in one dataset or all public ones, whether the page holds them or not. The images left
are counted the same way: exact up to the cap, over it when there are more. One query while the page holds the top; two otherwise."""

from __future__ import annotations

import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.services import refresh_queue
from ratings_site.raters.models import Rater
from ratings_site.ratings import selectors
from ratings_site.ratings.models import Rating, Skip

pytestmark = pytest.mark.django_db

TOP_K = 4  # a first page of 16 entries (QUEUE_PAGE_FACTOR 4)


@pytest.fixture
def queue(settings):
    settings.QUEUE_TOP_K = TOP_K
    settings.RATINGS_PER_IMAGE = 5
    chance = random.Random(24)
    datasets = [Dataset.objects.create(slug=f"set-{n}", name=f"Set {n}", public=True) for n in range(2)]
    Dataset.objects.create(slug="private", name="Private", public=False)
    images = Image.objects.bulk_create(
        [
            Image(
                dataset=datasets[n % 2] if n < 380 else Dataset.objects.get(slug="private"),
                url=f"https://images.example.org/q/{n}.jpg",
                dedupe_key=uuid.uuid4().hex,
            )
            for n in range(400)
        ]
    )
    refresh_queue(Image.objects.all())
    for entry in QueueEntry.objects.all():  # ties of priority, as the predictor's rounding leaves them
        entry.priority = chance.choice([0.0, 0.5, 1.0, 1.5, 2.0])
        entry.nsfw = chance.random() < 0.2
        entry.save()
    return images


def _rater(n: int, **fields) -> Rater:
    return Rater.objects.create(username=f"Pager#{n}", horde_id=7000 + n, **fields)


def _seen_the_top(rater: Rater, how_many: int, *, every: int = 1) -> None:
    """The rater rated (and skipped a few of) every `every`-th of the queue's top `how_many` entries: the public
    datasets' queue, which the tests read (the private dataset's entries, drawn among them by chance, would leave more
    of its top unseen than the test says)."""
    queue = QueueEntry.objects.filter(dataset__public=True).order_by("-priority", "shuffle")
    top = list(queue.values_list("image_id", flat=True)[:how_many])
    chosen = top[::every]
    Rating.objects.bulk_create([Rating(rater=rater, image_id=pk, rating=5) for pk in chosen if pk % 7])
    Skip.objects.bulk_create([Skip(rater=rater, image_id=pk) for pk in chosen if not pk % 7])


def _by_the_rule(rater: Rater, dataset: Dataset | None, exclude: list[int]) -> list[int]:
    """The queue rule's own query (before issue 24: one anti-join over the whole queue)."""
    entries = selectors._queue_for(rater, dataset).exclude(image_id__in=exclude).order_by("-priority", "shuffle")
    return list(entries.values_list("image_id", flat=True)[:TOP_K])


def _by_pages(rater: Rater, dataset: Dataset | None, exclude: list[int]) -> list[int]:
    entries = selectors._queue(dataset, hide_nsfw=rater.hide_nsfw)
    return [entry.image_id for entry in selectors._top_unseen(rater, entries, count=TOP_K, exclude=exclude)]


@pytest.mark.parametrize("seen, every", [(0, 1), (10, 1), (15, 1), (16, 1), (70, 1), (200, 2), (300, 3), (400, 1)])
@pytest.mark.parametrize("hide_nsfw", [False, True])
def test_the_paged_read_chooses_what_the_rule_chooses(queue, seen, every, hide_nsfw):
    rater = _rater(seen * 10 + every + hide_nsfw * 10000, hide_nsfw=hide_nsfw)
    _seen_the_top(rater, seen, every=every)
    some = list(QueueEntry.objects.order_by("?").values_list("image_id", flat=True)[:3])

    for dataset in [None, *Dataset.objects.filter(public=True)]:
        for exclude in ([], some):
            assert _by_pages(rater, dataset, exclude) == _by_the_rule(rater, dataset, exclude)


@pytest.mark.parametrize("seen", [0, 30, 250, 400])
@pytest.mark.parametrize("cap", [3, 40, 1000])
def test_images_left_are_counted_as_the_rule_counts_them(queue, seen, cap):
    rater = _rater(seen + cap * 1000)
    _seen_the_top(rater, seen)

    for dataset in [None, *Dataset.objects.filter(public=True)]:
        expected = selectors._queue_for(rater, dataset)[: cap + selectors.IMAGES_LEFT_SLACK + 1].count()
        left = selectors.images_left_for(rater, dataset=dataset, cap=cap)
        if expected > cap:  # "1,000+": over the cap, and never more than there are
            assert cap < left <= expected
        else:
            assert left == expected


def _queries_of(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_one_query_while_the_first_page_holds_the_top_and_two_after(queue):
    fresh, seasoned, finished = _rater(1), _rater(2), _rater(3)
    _seen_the_top(seasoned, 14)  # two unseen entries left in the first page of 16
    _seen_the_top(finished, 400)

    def top(rater):
        return lambda: selectors._top_unseen(rater, selectors._queue(None), count=TOP_K)

    assert _queries_of(top(fresh)) == 1
    assert _queries_of(top(seasoned)) == 2
    assert _queries_of(top(finished)) == 2
    assert selectors._top_unseen(finished, selectors._queue(None), count=TOP_K) == []
