"""On PostgreSQL the queue of a rater who hides NSFW images walks the partial indexes `sfw_queue_by_dataset` (one
dataset) and `sfw_queue_order` (all public datasets), as everyone else's walks `queue_by_dataset` and `queue_order`:
hiding NSFW images costs no scan. EXPLAIN of the very query next_images_for sends, on a queue of 30,000 entries."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.services import refresh_queue
from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import QUEUE_PAGE_FACTOR, next_images_for

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's"),
    pytest.mark.django_db,
    pytest.mark.usefixtures("no_captchas"),
]

IMAGES = 30_000
# Of the images: a LAION punsafe over NSFW_HIDE_PUNSAFE. Half, not a tenth: with a tenth, walking `queue_order` and
# filtering out the NSFW tenth cost the planner nearly as much as the partial index, and it took either (a CI run
# walked `queue_order`, index-backed still). With half, the partial index reads half the entries for the same page.
NSFW_SHARE = 0.5


@pytest.fixture
def big_queue() -> tuple[Dataset, Dataset]:
    """Two public datasets sharing 30,000 queued images (a third in cities), half with a high punsafe, random
    priorities."""
    flowers = Dataset.objects.create(slug="flowers", name="Flowers", public=True)
    cities = Dataset.objects.create(slug="cities", name="Cities", public=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO datasets_image (
                public_id, dataset_id, url, file, caption, source, tag_counts, dedupe_key, nsfw, hidden, broken,
                is_captcha, shuffle, ratings_count, rating_sum, artifacts_count, artifacts_sum, reports_count, created_at
            )
            SELECT gen_random_uuid(), CASE WHEN i %% 3 = 0 THEN %(cities)s ELSE %(flowers)s END,
                   'https://images.example.org/' || i || '.jpg', '', '',
                   jsonb_build_object('punsafe', CASE WHEN random() < %(share)s THEN 0.3 ELSE 0.01 END), '{}',
                   md5(i::text), false, false, false, false, random(), 0, 0, 0, 0, 0, now()
            FROM generate_series(1, %(count)s) AS i
            """,
            {"flowers": flowers.pk, "cities": cities.pk, "share": NSFW_SHARE, "count": IMAGES},
        )
    refresh_queue(Image.objects.all())  # as an import does: the entries and their NSFW flags
    with connection.cursor() as cursor:
        cursor.execute("UPDATE datasets_queueentry SET priority = random()")  # as the predictor does
        # The datasets' too: the queue of all datasets joins them (`public`), and their statistics, as other tests in
        # this database left them (many datasets, few public), could make the planner walk another index.
        cursor.execute("ANALYZE datasets_dataset, datasets_image, datasets_queueentry")
    nsfw = QueueEntry.objects.filter(nsfw=True).count()
    assert QueueEntry.objects.count() == IMAGES and 0.45 * IMAGES < nsfw < 0.55 * IMAGES
    return flowers, cities


def _plan_of_the_queue_query(rater: Rater, dataset: Dataset | None) -> str:
    """The plan of the query next_images_for walks the queue with (the one that orders the entries)."""
    with CaptureQueriesContext(connection) as queries:
        assert next_images_for(rater, dataset=dataset, count=2)
    [sql] = [q["sql"] for q in queries if "datasets_queueentry" in q["sql"] and "ORDER BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _indexes_scanned(plan: str) -> set[str]:
    """The queue indexes walked (the page's entries are then read back by primary key: ratings.selectors._top_unseen)."""
    found = set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\w+) on datasets_queueentry", plan))
    return found - {"datasets_queueentry_pkey"}


def _sorts_more_than_a_page(plan: str) -> bool:
    """Whether anything larger than the first page of the queue (QUEUE_TOP_K × QUEUE_PAGE_FACTOR) is sorted."""
    page = settings.QUEUE_TOP_K * QUEUE_PAGE_FACTOR
    return any(int(rows) > page for rows in re.findall(r"Sort  \(cost=\S+ rows=(\d+)", plan))


def _raters() -> tuple[Rater, Rater]:
    hider = Rater.objects.create(username="Hider#1", horde_id=1, hide_nsfw=True)
    return hider, Rater.objects.create(username="Viewer#2", horde_id=2)


def test_one_datasets_queue_walks_its_partial_index(big_queue):
    _, cities = big_queue
    hider, viewer = _raters()

    hiders, viewers = _plan_of_the_queue_query(hider, cities), _plan_of_the_queue_query(viewer, cities)

    assert _indexes_scanned(hiders) == {"sfw_queue_by_dataset"}, hiders
    assert _indexes_scanned(viewers) == {"queue_by_dataset"}, viewers
    for plan in (hiders, viewers):
        assert "Seq Scan on datasets_queueentry" not in plan and not _sorts_more_than_a_page(plan), plan


def test_the_queue_of_all_datasets_walks_its_partial_index(big_queue):
    hider, viewer = _raters()

    hiders, viewers = _plan_of_the_queue_query(hider, None), _plan_of_the_queue_query(viewer, None)

    assert _indexes_scanned(hiders) == {"sfw_queue_order"}, hiders
    assert _indexes_scanned(viewers) == {"queue_order"}, viewers
    for plan in (hiders, viewers):
        assert "Seq Scan on datasets_queueentry" not in plan and not _sorts_more_than_a_page(plan), plan


def test_the_entries_served_are_the_top_safe_ones(big_queue):
    _, cities = big_queue
    hider, _ = _raters()
    safe_top = QueueEntry.objects.filter(dataset=cities, nsfw=False).order_by("-priority", "shuffle")[:32]

    served = next_images_for(hider, dataset=cities, count=32)

    assert {image.pk for image in served} == {entry.image_id for entry in safe_top}
