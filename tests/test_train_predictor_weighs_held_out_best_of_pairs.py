"""train_predictor measures both heads on the raters' best-of picks of dataset prompt groups (pairs whose
images it did not train on), prints the figure, and --save-if-better does not save a head that orders
those picks worse, even with a lower validation MSE."""

from __future__ import annotations

import hashlib
from io import StringIO

from django.core.management import call_command

from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup
from ratings_site.predictor.models import PredictorVersion
from tests.planted_ratings import KEY_MODEL, KEY_PRETRAINED, Planted, make_rater, plant_ratings

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "adam", "--batch-size", "64", "--ensemble", "0"]
TRAIN += ["--threads", "1", "--no-progress"]
GOOD = ["--epochs", "20"]
BAD = ["--epochs", "1", "--lr", "1e-6"]
RATED, UNRATED = 300, 80


def train(*options: str) -> str:
    out = StringIO()
    call_command("train_predictor", *TRAIN, *options, stdout=out)
    return out.getvalue()


def pick_pairs(planted: Planted, *, agree: bool) -> int:
    """Best-of picks among the unrated images, two per group: the winner is the planted truth's better image
    (agree) or its worse one (not agree)."""
    rater = make_rater("picker")
    images = planted.images[RATED:]
    truth = planted.truth(planted.embeddings[RATED:])
    stored = 0
    for i in range(0, len(images) - 1, 2):
        a, b = images[i], images[i + 1]
        if abs(truth[i] - truth[i + 1]) < 0.3:
            continue
        better, worse = (a, b) if truth[i] > truth[i + 1] else (b, a)
        winner, loser = (better, worse) if agree else (worse, better)
        group = PromptGroup.objects.create(
            dataset=a.dataset, prompt_key=hashlib.sha256(str(i).encode()).hexdigest(), prompt=f"prompt {i}", size=2
        )
        pick = BestPick.objects.create(rater=rater, group=group, winner=winner)
        ImagePreference.objects.create(winner=winner, loser=loser, group=group, pick=pick, rater=rater)
        stored += 1
    return stored


def test_the_report_shows_best_of_accuracy_on_held_out_pairs(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=RATED, dim=16, unrated=UNRATED)
    pairs = pick_pairs(planted, agree=True)
    assert pairs > 20

    output = train(*GOOD, "--save")

    assert f"Best-of accuracy ({pairs} held-out pairs)" in output, output
    version = PredictorVersion.current()
    assert version.metrics["best_of_pairs"] == pairs
    assert version.metrics["best_of_accuracy"] > 0.8


def test_a_head_with_lower_mse_but_worse_best_of_accuracy_is_not_saved(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=RATED, dim=16, unrated=UNRATED)
    pick_pairs(planted, agree=False)  # the raters' picks contradict their own ratings
    train(*BAD, "--save")
    bad = PredictorVersion.current()

    output = train(*GOOD, "--save-if-better")

    assert "Not saved: best-of accuracy" in output, output
    assert PredictorVersion.current() == bad


def test_a_head_better_on_both_is_saved(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=RATED, dim=16, unrated=UNRATED)
    pick_pairs(planted, agree=True)
    train(*BAD, "--save")
    bad = PredictorVersion.current()

    output = train(*GOOD, "--save-if-better")

    better = PredictorVersion.current()
    assert better != bad, output
    assert better.metrics["compared_with"]["version"] == bad.name
    assert better.metrics["best_of_accuracy"] > better.metrics["compared_with"]["best_of_accuracy"]
