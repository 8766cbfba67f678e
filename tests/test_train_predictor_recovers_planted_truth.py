"""train_predictor learns a planted linear aesthetic from noisy raters, and saves a head in the published format."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
import torch
from django.core.management import call_command
from safetensors import safe_open

from ratings_site.predictor.heads import load_ensemble, load_head
from ratings_site.predictor.models import PredictorVersion
from tests.planted_ratings import KEY_MODEL, KEY_PRETRAINED, plant_ratings, unit_vectors

TRAIN = [
    "--clip-model",
    KEY_MODEL,
    "--pretrained",
    KEY_PRETRAINED,
    "--epochs",
    "30",
    "--batch-size",
    "64",
    "--threads",
    "1",
    "--no-progress",
]


@pytest.mark.parametrize("method", ["ridge", "adam"])
def test_it_recovers_the_planted_aesthetic(make_images, settings, tmp_path, method):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=400, dim=32)
    out = StringIO()
    call_command("train_predictor", *TRAIN, "--method", method, "--ensemble", "0", "--save", stdout=out)

    version = PredictorVersion.current()
    assert version is not None, out.getvalue()
    assert version.metrics["method"] == method
    assert (version.metrics["penalty"] is not None) == (method == "ridge")
    assert ("epochs" in version.metrics) == (method == "adam")  # Adam's settings are kept only when they were used
    assert version.metrics["spearman"] > 0.9, out.getvalue()
    assert version.metrics["validation_images"] == 40
    assert version.metrics["preference_pairs"] > 0
    assert version.metrics["preference_accuracy"] > 0.75
    # On embeddings it has never seen, the head follows the planted truth itself (not only the noisy means).
    fresh = unit_vectors(np.random.default_rng(99), 2000, 32)
    with torch.inference_mode():
        predicted = load_head(version.head_file)(torch.from_numpy(fresh)).numpy()
    assert np.corrcoef(predicted, planted.truth(fresh))[0, 1] > 0.95
    assert "Spearman" in out.getvalue() and "Preference accuracy" in out.getvalue()


def test_save_registers_a_current_version_in_the_published_head_format(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_ratings(make_images, count=200, dim=16, seed=1)
    call_command("train_predictor", *TRAIN, "--epochs", "3", "--ensemble", "2", "--save", stdout=StringIO())

    version = PredictorVersion.objects.get()
    assert version.is_current
    assert (version.clip_model, version.clip_pretrained, version.embedding_dim) == ("tiny", "none", 16)
    assert version.head_file.startswith(str(tmp_path)) and version.head_file.endswith(".safetensors")
    with safe_open(version.head_file, "pt") as stored:
        keys = set(stored.keys())
    assert keys == {f"layers.{i}.{part}" for i in (0, 2, 4, 6, 7) for part in ("weight", "bias")}
    assert load_head(version.head_file).embedding_dim == 16
    assert version.ensemble_size == 2 and len(load_ensemble(version.ensemble_file).heads) == 2
