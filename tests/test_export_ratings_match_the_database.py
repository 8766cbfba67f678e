"""Every exported rating, read back with pyarrow, is the database's rating, column by column: a few thousand
ratings by raters of each kind (Horde, trusted, anonymous, local account), written in several batches."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from django.core.files.base import ContentFile

from ratings_site.exports.columns import ANONYMOUS_KUDOS, RATINGS, TAGS
from ratings_site.exports.services import account_age_bucket, hashed_user_id
from ratings_site.kudos.models import KudosReward
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.ratings.models import Rating
from tests.export_helpers import export, fail_captchas, make_dataset_images, make_rater, rate_all, read_rows

pytestmark = pytest.mark.django_db


def _predictor(name: str, current: bool) -> PredictorVersion:
    return PredictorVersion.objects.create(
        name=name,
        clip_model="ViT-L-14",
        embedding_dim=768,
        head_file="head.pth",
        head_sha256="0" * 64,
        is_current=current,
    )


def _build() -> None:
    images = make_dataset_images(700)
    others = make_dataset_images(100, dataset="other-set")
    horde, trusted = make_rater("horde", account_age=86_400), make_rater("horde", trusted=True, account_age=5)
    anonymous, local = make_rater("anonymous"), make_rater("local")
    paid = rate_all(horde, images, rating=8, artifacts=None, client_agent="aesthetic-client:2:me", rater_kudos=1234)
    rate_all(trusted, images[:600] + others, rating=3, artifacts=4)
    rate_all(anonymous, images[100:700], rating=10, artifacts=0, rater_kudos=0)
    rate_all(local, others[:50], rating=1)
    KudosReward.objects.bulk_create(
        KudosReward(rater=horde, rating=rating, image_id=rating.image_id, amount=5, status="paid")
        for rating in paid[:300]
    )
    fail_captchas(trusted, 3, passed=2)
    fail_captchas(anonymous, 1)
    stored = images[0]
    stored.file.save("stored.png", ContentFile(b"not really a png"), save=True)
    current, old = _predictor("head-v2", True), _predictor("head-v1", False)
    AestheticScore.objects.bulk_create(AestheticScore(image=image, version=current, score=6.5) for image in images[:50])
    AestheticScore.objects.bulk_create(AestheticScore(image=image, version=old, score=2.0) for image in images[:400])


def _expected(rating: Rating) -> dict:
    rater, image = rating.rater, rating.image
    reward = KudosReward.objects.filter(rating=rating).first()
    score = AestheticScore.objects.filter(image=image, version__is_current=True).select_related("version").first()
    return {
        "id": str(image.public_id),
        "ratings_count": image.ratings_count,
        "rating": rating.rating,
        "kudos": ANONYMOUS_KUDOS if rater.horde_id == 0 else (reward.amount if reward else 0),
        "account_age": account_age_bucket(rater.account_age),  # 86_400 stays, 5 becomes 0
        "usage_requests": None,
        "created_at": rating.created_at,
        "client_agent": rating.client_agent,
        "artifacts": rating.artifacts,
        "user_id": hashed_user_id(rater.horde_id, rater.pk),
        "trusted": rater.trusted,
        "validated": False,
        "captchas_failed": rater.captcha_answers.filter(passed=False).count(),
        "country": None,
        "rater_kudos": ANONYMOUS_KUDOS if rater.horde_id == 0 else rating.rater_kudos,
        "image_url": f"http://export.example.org{image.file.url}" if image.file else image.url,
        "caption": image.caption,
        "dataset": image.dataset.slug,
        "predicted_score": score.score if score else None,
        "predictor_version": score.version.name if score else None,
        # No weights and no tags here (tests/test_export_has_rater_weight_and_tags.py has them).
        "rater_weight": None,
        "tags": [],
        **{f"tag_{value}": 0 for value, _ in TAGS},
    }


def test_every_rating_is_exported_as_the_database_holds_it(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    _build()

    export(tmp_path, "--batch-rows", "500", "--base-url", "http://export.example.org")

    rows = read_rows(tmp_path / "ratings.parquet")
    ratings = list(Rating.objects.select_related("rater", "image__dataset").order_by("pk"))
    assert len(rows) == len(ratings) == 700 + 700 + 600 + 50
    for row, rating in zip(rows, ratings):
        assert row == _expected(rating)
    assert [field.name for field in pq.read_schema(tmp_path / "ratings.parquet")] == [c.name for c in RATINGS]


def test_the_kinds_of_raters_are_told_apart(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    _build()

    export(tmp_path)

    rows = read_rows(tmp_path / "ratings.parquet")
    by_rating = {}
    for row in rows:
        by_rating.setdefault(row["rating"], set()).add((row["kudos"], row["captchas_failed"], row["trusted"]))
    assert by_rating[10] == {(ANONYMOUS_KUDOS, 1, False)}  # anonymous
    assert by_rating[3] == {(0, 3, True)}  # trusted, three failed captchas, two passed ones not counted
    assert by_rating[8] == {(5, 0, False), (0, 0, False)}  # paid for 300 ratings only
    assert by_rating[1] == {(0, 0, False)}  # a local account
    assert sum(1 for row in rows if row["predicted_score"] == 6.5) == 100  # images[:50], rated by horde and trusted
    assert {row["predictor_version"] for row in rows} == {"head-v2", None}
