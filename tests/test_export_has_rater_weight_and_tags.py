"""ratings.parquet carries each rater's reliability weight (null without one), the tags the row's rater put on the
row's image (only on counted ratings' rows), and the image's tag counts, with explicit types; the weights are
joined into the ratings' query and the tags read in one query per batch, so the queries grow with batches, not
with rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings_site.exports.columns import TAGS
from ratings_site.exports.services import hashed_user_id
from ratings_site.ratings.models import RaterTag, Rating
from ratings_site.reliability.models import RaterWeight
from tests.export_helpers import export, make_dataset_images, make_rater, rate_all, read_rows

pytestmark = pytest.mark.django_db

TAG_COLUMNS = [f"tag_{value}" for value, _ in TAGS]


def _weigh(rater, weight: float) -> None:
    RaterWeight.objects.create(rater=rater, weight=weight, ratings_count=10, computed_at=timezone.now())


def _tag(rater, image, *tags: str) -> None:
    RaterTag.objects.bulk_create(RaterTag(rater=rater, image=image, tag=tag) for tag in tags)


def _row(rows: list[dict], rater_name: str, image) -> dict:
    (row,) = [r for r in rows if r["id"] == str(image.public_id) and r["rater"] == rater_name]
    return row


def _rows_by_rater(tmp_path, raters: dict) -> list[dict]:
    names = {hashed_user_id(rater.horde_id, rater.pk): name for name, rater in raters.items()}
    return [{**row, "rater": names[row["user_id"]]} for row in read_rows(tmp_path / "ratings.parquet")]


def test_the_new_columns_have_explicit_types(tmp_path):
    rate_all(make_rater(), make_dataset_images(2))

    export(tmp_path)

    schema = pq.read_schema(tmp_path / "ratings.parquet")
    assert schema.field("rater_weight").type == pa.float64() and schema.field("rater_weight").nullable
    assert schema.field("tags").type == pa.list_(pa.field("element", pa.string()))
    assert not schema.field("tags").nullable
    assert TAG_COLUMNS == ["tag_watermark", "tag_text", "tag_nsfw", "tag_broken", "tag_not_artwork"]
    for name in TAG_COLUMNS:
        assert schema.field(name).type == pa.int32() and not schema.field(name).nullable


def test_each_row_has_its_raters_weight_and_null_for_a_rater_without_one(tmp_path):
    images = make_dataset_images(3)
    careful, careless, newcomer = make_rater(), make_rater(), make_rater("anonymous")
    for rater in (careful, careless, newcomer):
        rate_all(rater, images)
    _weigh(careful, 1.0)
    _weigh(careless, 0.25)

    export(tmp_path, "--batch-rows", "2")

    rows = _rows_by_rater(tmp_path, {"careful": careful, "careless": careless, "newcomer": newcomer})
    assert len(rows) == 9
    weights = {(row["rater"], row["rater_weight"]) for row in rows}
    assert weights == {("careful", 1.0), ("careless", 0.25), ("newcomer", None)}


def test_each_row_lists_its_raters_tags_on_its_image_and_the_images_tag_counts(tmp_path):
    castle, forest, lake = make_dataset_images(3)
    alice, bob = make_rater(), make_rater()
    rate_all(alice, [castle, forest, lake])
    rate_all(bob, [castle, forest])
    _tag(alice, castle, "nsfw", "watermark")  # stored out of order: exported in RaterTag.Kind's order
    _tag(bob, castle, "text")
    _tag(alice, forest, "broken")
    castle.tag_counts = {"watermark": 1, "nsfw": 1, "text": 1}
    castle.save(update_fields=["tag_counts"])
    forest.tag_counts = {"broken": 1}
    forest.save(update_fields=["tag_counts"])

    export(tmp_path, "--batch-rows", "2")

    rows = _rows_by_rater(tmp_path, {"alice": alice, "bob": bob})
    assert _row(rows, "alice", castle)["tags"] == ["watermark", "nsfw"]
    assert _row(rows, "bob", castle)["tags"] == ["text"]
    assert _row(rows, "alice", forest)["tags"] == ["broken"]
    assert _row(rows, "bob", forest)["tags"] == []
    assert _row(rows, "alice", lake)["tags"] == []
    counts = {name: [row[name] for row in rows if row["id"] == str(castle.public_id)] for name in TAG_COLUMNS}
    assert counts == {
        "tag_watermark": [1, 1],
        "tag_text": [1, 1],
        "tag_nsfw": [1, 1],
        "tag_broken": [0, 0],
        "tag_not_artwork": [0, 0],
    }
    assert [row["tag_broken"] for row in rows if row["id"] == str(forest.public_id)] == [1, 1]
    assert {name: _row(rows, "alice", lake)[name] for name in TAG_COLUMNS} == dict.fromkeys(TAG_COLUMNS, 0)


def test_only_counted_ratings_rows_carry_tags(tmp_path):
    castle, forest = make_dataset_images(2)
    alice, flagged = make_rater(), make_rater(flagged=True)
    rate_all(alice, [castle])
    rate_all(alice, [forest], invalidated=True, counts=False)
    rate_all(flagged, [castle, forest])
    _weigh(flagged, 0.1)
    _tag(alice, castle, "text")
    _tag(alice, forest, "nsfw")  # on the invalidated rating's image
    _tag(flagged, castle, "watermark", "broken")
    _tag(flagged, forest, "not_artwork")

    export(tmp_path, "--batch-rows", "1")

    rows = read_rows(tmp_path / "ratings.parquet")
    assert Rating.objects.count() == 4
    assert [(row["id"], row["tags"], row["rater_weight"]) for row in rows] == [(str(castle.public_id), ["text"], None)]


def _rate_round_robin(raters: list, images: list) -> None:
    """Every rater rates every image, image after image: each batch holds every rater, so the per-rater look-ups
    (captchas_failed) happen in the first batch only and the rest of the queries are per batch."""
    Rating.objects.bulk_create(
        Rating(rater=rater, image=image, rating=5, artifacts=1, counts=True) for image in images for rater in raters
    )
    RaterTag.objects.bulk_create(
        RaterTag(rater=rater, image=image, tag=TAGS[n % len(TAGS)][0])
        for n, image in enumerate(images)
        for rater in raters[:2]
    )


def _export_queries(tmp_path, batch_rows: int) -> tuple[int, int, int]:
    """(all queries, queries reading tags, queries reading weights) of one export."""
    with CaptureQueriesContext(connection) as queries:
        export(tmp_path, "--batch-rows", str(batch_rows))
    sql = [query["sql"] for query in queries.captured_queries]
    return len(sql), sum("ratings_ratertag" in q for q in sql), sum("reliability_raterweight" in q for q in sql)


def test_weights_and_tags_take_no_query_per_row(tmp_path):
    raters = [make_rater() for _ in range(3)]
    for rater in raters[:2]:
        _weigh(rater, 0.5)
    _rate_round_robin(raters, make_dataset_images(40))  # 120 rows

    small = _export_queries(tmp_path / "small", batch_rows=30)  # 4 batches
    _rate_round_robin(raters, make_dataset_images(40))  # 240 rows
    large = _export_queries(tmp_path / "large", batch_rows=60)  # 4 batches
    more_batches = _export_queries(tmp_path / "more", batch_rows=30)  # 8 batches

    rows = read_rows(tmp_path / "more" / "ratings.parquet")
    assert len(rows) == 240 and sum(len(row["tags"]) for row in rows) == 160
    assert small[1] == large[1] == 4  # one query for the tags per batch
    assert small[2] == large[2] == 1  # the weights are joined into the ratings' one query
    assert small[0] == large[0]  # twice the rows, as many batches: as many queries
    assert more_batches[0] == small[0] + 4 and more_batches[1] == 8  # four batches more: four tag queries more
