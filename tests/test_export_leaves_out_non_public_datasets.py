"""A dataset made non-public leaves the export: its images' ratings (in ratings.parquet and
diffusiondb_export.parquet) and best-of picks (pairs.parquet) are not written. Check images stay out whether their
pool is public or not."""

from __future__ import annotations

import pytest

from ratings_site.datasets.models import Dataset
from tests.export_helpers import export, make_best_pick, make_dataset_images, make_rater, rate_all, read_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def _diffusiondb_images(dataset: str, count: int):
    return [
        make_dataset_images(1, dataset=dataset, source={"image_name": f"{dataset}-{n}.png", "part_id": 1})[0]
        for n in range(count)
    ]


def test_ratings_and_picks_of_a_dataset_made_non_public_are_left_out(out):
    rater = make_rater()
    shown = make_dataset_images(3, dataset="open-set") + _diffusiondb_images("open-diffusiondb", 1)
    withdrawn = make_dataset_images(3, dataset="withdrawn-set") + _diffusiondb_images("withdrawn-diffusiondb", 2)
    rate_all(rater, shown + withdrawn)
    kept = make_best_pick(rater, shown[:2])
    make_best_pick(rater, withdrawn[:3])
    Dataset.objects.filter(slug__startswith="withdrawn-").update(public=False)  # rated while public, then withdrawn

    export(out)

    ratings = read_rows(out / "ratings.parquet")
    assert {row["id"] for row in ratings} == {str(image.public_id) for image in shown}
    assert {row["dataset"] for row in ratings} == {"open-set", "open-diffusiondb"}
    assert [row["id"] for row in read_rows(out / "diffusiondb_export.parquet")] == ["open-diffusiondb-0"]
    assert {(row["source"], row["group"]) for row in read_rows(out / "pairs.parquet")} == {
        ("best_of", str(kept.group_id))
    }
    card = (out / "README.md").read_text()
    assert "`ratings.parquet`: 4 rows" in card and "`pairs.parquet`: 1 rows" in card
    assert "dataset is not public" in card


@pytest.mark.parametrize("pool_public", [False, True], ids=["non-public pool", "public pool"])
def test_check_images_stay_out_whether_their_pool_is_public_or_not(out, pool_public):
    rater = make_rater()
    shown = make_dataset_images(2)
    checks = make_dataset_images(3, dataset="check-pool", is_captcha=True, captcha_answer=7)
    Dataset.objects.filter(slug="check-pool").update(public=pool_public)
    rate_all(rater, shown + checks)  # even Rating rows of check images
    make_best_pick(rater, checks[:2])

    export(out)

    assert {row["id"] for row in read_rows(out / "ratings.parquet")} == {str(image.public_id) for image in shown}
    assert read_rows(out / "pairs.parquet") == []
