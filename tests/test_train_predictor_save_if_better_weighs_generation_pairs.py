"""--save-if-better does not save a head that orders the rated generation sets' best-of pairs worse than the
current head, even with a lower validation MSE, and says so; better on both, it is saved."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from ratings_site.predictor.models import PredictorVersion
from tests.planted_ratings import KEY_MODEL, KEY_PRETRAINED, make_rater, plant_generation_pairs, plant_ratings

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "adam", "--batch-size", "64", "--ensemble", "0"]
TRAIN += ["--threads", "1", "--no-progress"]
GOOD = ["--epochs", "20"]
BAD = ["--epochs", "1", "--lr", "1e-6"]


def train(*options: str) -> str:
    out = StringIO()
    call_command("train_predictor", *TRAIN, *options, stdout=out)
    return out.getvalue()


def test_lower_mse_but_worse_generation_pair_accuracy_is_not_saved(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=300, dim=16)
    plant_generation_pairs(planted, sets=40, agree=False, rater=make_rater("contrary"))  # picks against the ratings
    train(*BAD, "--save")
    bad = PredictorVersion.current()

    output = train(*GOOD, "--save-if-better")

    assert "Not saved: generation best-of accuracy" in output, output
    assert PredictorVersion.current() == bad


def test_better_on_mse_and_generation_pairs_is_saved(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=300, dim=16)
    plant_generation_pairs(planted, sets=40, agree=True, rater=make_rater("agreeing"))
    train(*BAD, "--save")
    bad = PredictorVersion.current()

    output = train(*GOOD, "--save-if-better")

    better = PredictorVersion.current()
    assert better != bad, output
    compared = better.metrics["compared_with"]
    assert better.metrics["generation_best_of_accuracy"] > compared["generation_best_of_accuracy"]
