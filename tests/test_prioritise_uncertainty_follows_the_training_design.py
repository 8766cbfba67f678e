"""`uncertainty` on a trained ensemble: among the most disputed images, the one its training set says least about comes first."""

from __future__ import annotations

from io import StringIO

import numpy as np
from django.core.management import call_command
from safetensors.numpy import load_file

from ratings_site.datasets.models import QueueEntry
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from tests.planted_ratings import KEY_MODEL, KEY_PRETRAINED, plant_ratings

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED]
TRAIN += ["--threads", "1", "--no-progress", "--ensemble", "3", "--save", "--rescore"]


def test_the_first_image_is_the_disputed_one_the_training_set_covers_least(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    settings.PRIORITY_UNCERTAINTY_PICKS = 5
    planted = plant_ratings(make_images, count=150, dim=16, unrated=60)
    call_command("train_predictor", *TRAIN, stdout=StringIO())
    version = PredictorVersion.current()

    # The ensemble file keeps the design it was trained on: X'X with a bias feature.
    gram = load_file(version.ensemble_file)["design.gram"]
    assert gram.shape == (17, 17)
    assert gram[16, 16] == version.metrics["train_images"]

    out = StringIO()
    call_command("prioritise_images", "--strategy", "uncertainty", stdout=out)

    assert "Strategy uncertainty," in out.getvalue()
    assert "The design step ordered the first 5 of the 105 most disputed images." in out.getvalue()
    # Worked out here from the stored figures: the pool is the half of the queue the heads
    # disagree on most; its first image has the largest posterior variance x' (X'X + I)^-1 x.
    stored = AestheticScore.objects.filter(version=version).values_list("image_id", "uncertainty")
    ids, spread = map(np.array, zip(*stored))
    pool = ids[np.argsort(-spread)[: int(np.ceil(len(ids) / 2))]]
    position = {image.pk: i for i, image in enumerate(planted.images)}
    x = planted.embeddings[[position[i] for i in pool]].astype(np.float16).astype(np.float64)  # stored as float16
    features = np.c_[x, np.ones(len(x))]
    variance = np.einsum("ij,jk,ik->i", features, np.linalg.inv(gram + np.eye(17)), features)
    first = QueueEntry.objects.order_by("-priority", "pk").first()
    assert first.image_id == pool[np.argmax(variance)]
    assert first.image_id != ids[np.argmax(spread)]  # not merely the largest disagreement
    assert first.priority == 1.0
