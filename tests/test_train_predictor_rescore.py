"""--save --rescore scores every stored embedding with the new version, with the ensemble's uncertainty."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ratings_site.predictor.models import AestheticScore, ImageEmbedding, PredictorVersion
from tests.helpers import priority_of
from tests.planted_ratings import KEY, KEY_MODEL, KEY_PRETRAINED, plant_ratings, store_embeddings, unit_vectors

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED]
TRAIN += ["--threads", "1", "--no-progress"]


def test_rescore_scores_every_stored_embedding_with_uncertainty(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=150, dim=16, unrated=60)
    (other,) = make_images(1)
    store_embeddings([other], unit_vectors(np.random.default_rng(3), 1, 8), key="other-model/none")

    out = StringIO()
    call_command("train_predictor", *TRAIN, "--ensemble", "3", "--save", "--rescore", stdout=out)

    version = PredictorVersion.current()
    scores = AestheticScore.objects.filter(version=version)
    assert scores.count() == ImageEmbedding.objects.filter(clip_model=KEY).count() == 210
    assert set(scores.values_list("image_id", flat=True)) == {image.pk for image in planted.images}
    assert not scores.filter(uncertainty__isnull=True).exists()
    assert all(u > 0 for u in scores.values_list("uncertainty", flat=True))
    assert not AestheticScore.objects.filter(image=other).exists()  # another CLIP model's embedding
    assert "Scored 210 stored embeddings" in out.getvalue()


def test_rescore_without_saving_is_refused_before_training(db):
    with pytest.raises(CommandError, match="--rescore .* needs --save or --save-if-better"):
        call_command("train_predictor", *TRAIN, "--rescore")


def test_reprioritise_sets_the_queue_from_the_new_versions_scores(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    settings.PRIORITY_STRATEGY = "uncertainty"
    planted = plant_ratings(make_images, count=150, dim=16, unrated=60)

    out = StringIO()
    call_command("train_predictor", *TRAIN, "--ensemble", "3", "--save", "--rescore", "--reprioritise", stdout=out)

    version = PredictorVersion.current()
    assert f"Priorities recomputed with uncertainty from {version.name}" in out.getvalue()
    priorities = [priority_of(image) for image in planted.images]
    assert min(priorities) >= 0 and max(priorities) <= 1 and len(set(priorities)) > 100
