"""train_predictor --reliability-weights weighs each counted rating by its rater's reliability weight: a rater
weighted 0 changes nothing (as if their ratings had not been made), a rater not weighed yet counts 1, and a
weighted run fits the reliable raters' aesthetic better than an unweighted one when some raters rate against it."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from ratings_site.predictor.heads import load_head
from ratings_site.predictor.models import PredictorVersion
from ratings_site.predictor.training.data import load_training_set, rater_weights
from ratings_site.predictor.training.evaluation import spearman
from ratings_site.predictor.training.fitting import predict
from ratings_site.ratings.models import Rating
from ratings_site.reliability.models import RaterWeight
from tests.planted_ratings import KEY, KEY_MODEL, KEY_PRETRAINED, make_rater, plant_ratings, unit_vectors

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "ridge", "--ensemble", "0"]
TRAIN += ["--threads", "1", "--no-progress"]


def weigh(rater, weight: float) -> None:
    RaterWeight.objects.create(rater=rater, weight=weight, computed_at=timezone.now())


def rate_against_the_truth(planted, count: int, raters: int, seed: int = 7) -> list:
    """Raters who rate every rated image the reverse of the planted aesthetic (11 - truth, with noise)."""
    rng = np.random.default_rng(seed)
    truth = planted.truth(planted.embeddings[:count])
    contrary = [make_rater(f"contrary-{i}") for i in range(raters)]
    Rating.objects.bulk_create(
        Rating(rater=rater, image=image, rating=int(value))
        for rater in contrary
        for image, value in zip(
            planted.images[:count], np.clip(np.rint(11 - truth + rng.normal(scale=0.8, size=count)), 1, 10)
        )
    )
    return contrary


def test_a_rater_weighted_zero_changes_nothing(make_images):
    planted = plant_ratings(make_images, count=60, dim=8, raters=3)
    careless = make_rater("careless")
    rng = np.random.default_rng(3)
    Rating.objects.bulk_create(
        Rating(rater=careless, image=image, rating=int(rng.integers(1, 11))) for image in planted.images
    )
    weigh(careless, 0.0)
    weigh(planted.raters[0], 1.0)  # the others are not weighed yet: they count 1

    weighted = load_training_set(KEY, min_ratings=3, weights=rater_weights())
    Rating.objects.filter(rater=careless).delete()
    without = load_training_set(KEY, min_ratings=3)

    assert rater_weights() == {careless.pk: 0.0, planted.raters[0].pk: 1.0}
    np.testing.assert_array_equal(weighted.image_ids, without.image_ids)
    np.testing.assert_allclose(weighted.targets, without.targets, rtol=1e-6)
    assert weighted.rating_counts.tolist() == without.rating_counts.tolist() == [3] * 60  # the 0s do not count


def test_an_image_whose_raters_all_weigh_zero_does_not_train(make_images):
    planted = plant_ratings(make_images, count=30, dim=8, raters=3)
    for rater in planted.raters:
        weigh(rater, 0.0)

    assert len(load_training_set(KEY, min_ratings=1, weights=rater_weights())) == 0
    assert len(load_training_set(KEY, min_ratings=1)) == 30


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_a_weighted_run_follows_the_reliable_raters(make_images, settings, tmp_path, weighted):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=200, dim=16, raters=3)
    for rater in rate_against_the_truth(planted, 200, raters=4):
        weigh(rater, 0.05)
    for rater in planted.raters:
        weigh(rater, 1.0)
    out = StringIO()

    call_command("train_predictor", *TRAIN, "--save", *(["--reliability-weights"] if weighted else []), stdout=out)

    version = PredictorVersion.current()
    fresh = unit_vectors(np.random.default_rng(11), 300, 16)
    follows = spearman(predict(load_head(version.head_file), fresh), planted.truth(fresh))
    assert version.metrics["reliability_weights"] is weighted
    if weighted:
        assert "Ratings weighted by rater reliability (7 raters weighed" in out.getvalue()
        assert follows > 0.9, out.getvalue()  # the 4 contrary raters' 0.05 hardly move a target
    else:
        assert follows < 0, out.getvalue()  # 4 contrary raters outvote 3 reliable ones
