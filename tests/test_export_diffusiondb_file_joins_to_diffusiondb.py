"""export_ratings writes diffusiondb_export.parquet as the Horde's ratings service published it: the original's
columns in its order, one row per counted rating of an image imported from DiffusionDB, `id` the DiffusionDB image's
file name without its extension (so it joins to DiffusionDB's image_name), `kudos` the rater's Horde kudos when
rating (-50 for anonymous). It is listed and served at /api/v1/download/diffusiondb_export.parquet."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.exports.columns import DIFFUSIONDB
from ratings_site.exports.services import hashed_user_id
from tests.export_helpers import export, fail_captchas, make_dataset_images, make_rater, rate_all, read_rows

pytestmark = pytest.mark.django_db

NAMES = ["f3501e05-aef7-4225-a9e9-f516527408ac.png", "0c1b5e2d-1a2b-4c3d-8e9f-000000000001.webp"]
ORIGINAL_COLUMNS = [
    "id", "ratings_count", "rating", "kudos", "account_age", "usage_requests", "created_at", "client_agent",
    "artifacts", "user_id", "trusted", "validated", "captchas_failed", "country",
]  # fmt: skip


def _import_diffusiondb(tmp_path: Path) -> list[Image]:
    """Two images imported from a DiffusionDB metadata.parquet by import_dataset, as LAION would."""
    table = pa.table(
        {
            "image_name": NAMES,
            "prompt": ["a castle on a hill", "a lighthouse at dusk"],
            "part_id": pa.array([1, 2], pa.uint16()),
            "seed": pa.array([3312523387, 42], pa.uint32()),
            "width": pa.array([512, 512], pa.uint16()),
            "height": pa.array([512, 640], pa.uint16()),
            "image_nsfw": pa.array([0.1, 0.2], pa.float32()),
        }
    )
    pq.write_table(table, tmp_path / "metadata.parquet")
    call_command("import_dataset", "DiffusionDB 2M", str(tmp_path / "metadata.parquet"), "--no-progress",
                 stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    images = Image.objects.filter(dataset__name="DiffusionDB 2M")
    return sorted(images, key=lambda image: NAMES.index(image.source["image_name"]))


def test_rows_are_the_ratings_of_diffusiondb_images_with_the_originals_columns(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path / "export"
    castle, lighthouse = _import_diffusiondb(tmp_path)
    laion = make_dataset_images(3)
    rich = make_rater("horde", account_age=86_400, trusted=True)
    anonymous, unknown = make_rater("anonymous"), make_rater("horde")
    rate_all(rich, [castle, lighthouse, *laion], rating=9, artifacts=1, rater_kudos=125_000, client_agent="ArtBot:1:x")
    rate_all(anonymous, [castle], rating=2, artifacts=None, rater_kudos=0)
    rate_all(unknown, [lighthouse], rating=5)  # made before the site kept raters' kudos
    fail_captchas(rich, 2)
    rich.horde_kudos = 9  # the rater's kudos since: the rows keep those of the ratings' moment
    rich.save()

    export(settings.EXPORT_DIR)

    path = settings.EXPORT_DIR / "diffusiondb_export.parquet"
    assert [field.name for field in pq.read_schema(path)] == ORIGINAL_COLUMNS == [c.name for c in DIFFUSIONDB]
    rows = sorted(read_rows(path), key=lambda row: (row["id"], row["rating"]))
    castle_id, lighthouse_id = NAMES[0].removesuffix(".png"), NAMES[1].removesuffix(".webp")
    assert [(row["id"], row["rating"], row["kudos"]) for row in rows] == sorted(
        [(castle_id, 2, -50), (castle_id, 9, 125_000), (lighthouse_id, 5, None), (lighthouse_id, 9, 125_000)]
    )
    by_rich = next(row for row in rows if row["id"] == castle_id and row["rating"] == 9)
    assert by_rich["ratings_count"] == Image.objects.get(pk=castle.pk).ratings_count
    assert by_rich["account_age"] == 86_400 and by_rich["trusted"] is True and by_rich["validated"] is False
    assert by_rich["artifacts"] == 1 and by_rich["client_agent"] == "ArtBot:1:x"
    assert by_rich["user_id"] == hashed_user_id(rich.horde_id, rich.pk) and len(by_rich["user_id"]) == 64
    assert by_rich["captchas_failed"] == 2
    assert by_rich["usage_requests"] is None and by_rich["country"] is None
    # ratings.parquet has every rating (the LAION-like ones too), with the same kudos under a name that says so.
    rated = read_rows(settings.EXPORT_DIR / "ratings.parquet")
    assert len(rated) == 7
    kudos = [row["rater_kudos"] for row in rated if row["dataset"] == castle.dataset.slug]
    assert sorted(kudos, key=lambda k: (k is None, k)) == [-50, 125_000, 125_000, None]


def test_hidden_images_and_banned_raters_stay_out(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path / "export"
    castle, lighthouse = _import_diffusiondb(tmp_path)
    banned = make_rater("horde", is_active=False)
    rate_all(make_rater("horde"), [castle, lighthouse], rater_kudos=10)
    rate_all(banned, [castle], rater_kudos=10)
    Image.objects.filter(pk=lighthouse.pk).update(hidden=True)

    export(settings.EXPORT_DIR)

    rows = read_rows(settings.EXPORT_DIR / "diffusiondb_export.parquet")
    assert [row["id"] for row in rows] == [NAMES[0].removesuffix(".png")]


def test_the_file_is_listed_and_served_beside_the_others(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path / "export"
    castle, _ = _import_diffusiondb(tmp_path)
    rate_all(make_rater("horde"), [castle], rater_kudos=10)
    export(settings.EXPORT_DIR)

    listing = Client().get("/api/v1/download/").json()
    response = Client().get("/api/v1/download/diffusiondb_export.parquet")

    entry = next(f for f in listing["files"] if f["name"] == "diffusiondb_export.parquet")
    assert entry["rows"] == 1
    assert entry["url"].endswith("/api/v1/download/diffusiondb_export.parquet")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(b"".join(response.streaming_content)))
    assert table.column("id").to_pylist() == [NAMES[0].removesuffix(".png")]
    card = (settings.EXPORT_DIR / "README.md").read_text()
    assert "`diffusiondb_export.parquet`" in card and "Haidra-Org/AI-Horde-Ratings" in card
