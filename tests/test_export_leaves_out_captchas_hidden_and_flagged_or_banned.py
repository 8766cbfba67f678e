"""Never in the export: captcha answers, captcha images, hidden images, and the ratings and picks of flagged or
banned raters (in every file: ratings, generations, pairs)."""

from __future__ import annotations

import pytest

from ratings_site.ratings.models import Rating
from tests.export_helpers import (
    export,
    fail_captchas,
    make_best_pick,
    make_dataset_images,
    make_rated_generation_set,
    make_rater,
    rate_all,
    read_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def test_captcha_answers_and_captcha_images_are_left_out(out):
    rater = make_rater()
    shown = make_dataset_images(3)
    rate_all(rater, shown)
    fail_captchas(rater, 2, passed=2)  # answers to captcha images
    captcha = make_dataset_images(1, dataset="captchas", is_captcha=True, captcha_answer=5)
    rate_all(rater, captcha)  # even a Rating row of a captcha image
    make_best_pick(rater, make_dataset_images(2, dataset="captchas", is_captcha=True))

    export(out)

    ids = [row["id"] for row in read_rows(out / "ratings.parquet")]
    assert sorted(ids) == sorted(str(image.public_id) for image in shown)
    assert read_rows(out / "pairs.parquet") == []


def test_hidden_images_are_left_out(out):
    rater = make_rater()
    shown, hidden = make_dataset_images(2), make_dataset_images(2, hidden=True)
    rate_all(rater, shown + hidden)
    make_best_pick(rater, [shown[0], hidden[0]])  # a pair with one hidden image
    make_best_pick(rater, [hidden[1], shown[1]])

    export(out)

    assert {row["id"] for row in read_rows(out / "ratings.parquet")} == {str(image.public_id) for image in shown}
    assert read_rows(out / "pairs.parquet") == []


@pytest.mark.parametrize("how", ["flagged", "banned"])
def test_flagged_or_banned_raters_are_left_out_of_every_file(out, how):
    fields = {"flagged": True} if how == "flagged" else {"is_active": False}
    good, bad = make_rater(), make_rater(**fields)
    images = make_dataset_images(4)
    rate_all(good, images[:2])
    rate_all(bad, images)
    kept_set = make_rated_generation_set(good)
    make_rated_generation_set(bad)
    make_best_pick(bad, images[2:4])
    make_best_pick(good, images[:2])

    export(out)

    ratings = read_rows(out / "ratings.parquet")
    assert len(ratings) == 2 == Rating.objects.filter(rater=good).count()
    assert {row["user_id"] for row in ratings} == {read_rows(out / "pairs.parquet")[0]["user_id"]}
    assert {row["request_id"] for row in read_rows(out / "generations.parquet")} == {kept_set.request_id}
    pairs = read_rows(out / "pairs.parquet")
    assert {(row["source"], row["group"]) for row in pairs} == {
        ("generation_set", kept_set.request_id),
        ("best_of", str(good.best_picks.get().group_id)),
    }
