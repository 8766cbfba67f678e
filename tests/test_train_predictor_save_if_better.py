"""--save-if-better keeps a better current head and replaces a worse one."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from ratings_site.predictor.models import PredictorVersion
from tests.planted_ratings import KEY_MODEL, KEY_PRETRAINED, plant_ratings

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "adam", "--batch-size", "64", "--ensemble", "0"]
TRAIN += ["--threads", "1", "--no-progress"]
GOOD = ["--epochs", "20"]
BAD = ["--epochs", "1", "--lr", "1e-6"]


def train(*options: str) -> str:
    out = StringIO()
    call_command("train_predictor", *TRAIN, *options, stdout=out)
    return out.getvalue()


def test_it_keeps_a_better_current_head(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_ratings(make_images, count=300, dim=16)
    train(*GOOD, "--save")
    good = PredictorVersion.current()

    output = train(*BAD, "--save-if-better")

    assert "Not saved" in output
    assert PredictorVersion.current() == good
    assert PredictorVersion.objects.count() == 1
    assert [path.name for path in tmp_path.iterdir()] == [good.head_file.rsplit("/", 1)[1]]  # nothing written


def test_it_replaces_a_worse_current_head(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_ratings(make_images, count=300, dim=16)
    train(*BAD, "--save")
    bad = PredictorVersion.current()

    output = train(*GOOD, "--save-if-better")

    better = PredictorVersion.current()
    assert better != bad, output
    assert better.metrics["mse"] < bad.metrics["mse"]
    assert better.metrics["compared_with"]["version"] == bad.name
    assert better.metrics["compared_with"]["mse"] == bad.metrics["mse"]  # the same validation images
    assert PredictorVersion.objects.filter(is_current=True).count() == 1
