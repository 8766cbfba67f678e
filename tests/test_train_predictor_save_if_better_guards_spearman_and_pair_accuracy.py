"""--save-if-better saves a new head only when neither its held-out Spearman nor its held-out pair accuracy is
below the current head's: it refuses a head that loses pair accuracy even when its Spearman holds, and one that
loses Spearman even when its pair accuracy holds. Both heads are measured on the same held-out groups, which
neither trained on. Without held-out pairs, Spearman alone decides and the run says the pairs were not compared."""

from __future__ import annotations

from io import StringIO

import numpy as np
from django.core.management import call_command

from ratings_site.predictor.models import PredictorVersion
from tests.planted_ratings import (
    KEY_MODEL,
    KEY_PRETRAINED,
    make_rater,
    plant_generation_pairs,
    plant_group_picks,
    plant_ratings,
    unit_vectors,
)

RATED, UNRATED, DIM = 240, 300, 16
TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "ridge", "--ensemble", "0"]
TRAIN += ["--threads", "1", "--no-progress"]
PAIRS = ["--pairs", "--pair-weight", "20"]
WEAK = ["--method", "adam", "--epochs", "1", "--lr", "1e-6", "--batch-size", "64"]  # barely trained


def train(*options: str) -> str:
    out = StringIO()
    call_command("train_predictor", *TRAIN, *options, stdout=out)
    return out.getvalue()


def plant_picks_against_the_ratings(make_images) -> None:
    """Ratings follow the planted aesthetic; the best-of picks follow a direction orthogonal to it, so a head
    trained on the pairs orders the picks better and the rated images worse than one trained on ratings alone."""
    planted = plant_ratings(make_images, count=RATED, dim=DIM, unrated=UNRATED)
    other = unit_vectors(np.random.default_rng(99), 1, DIM)[0]
    other -= (other @ planted.direction) * planted.direction
    other /= np.linalg.norm(other)

    def picked(embeddings: np.ndarray) -> np.ndarray:
        return 5.5 + 2.0 * np.sqrt(DIM) * (embeddings @ other)

    picker = make_rater("picker")
    plant_group_picks(
        planted.images[RATED:], planted.embeddings[RATED:], picked(planted.embeddings[RATED:]), rater=picker
    )
    plant_generation_pairs(planted, sets=100, rater=picker, truth=picked)


def test_a_head_that_loses_pair_accuracy_is_refused_even_when_spearman_holds(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_picks_against_the_ratings(make_images)
    train(*PAIRS, "--save")
    paired = PredictorVersion.current()

    output = train("--save-if-better")  # ratings alone: a better Spearman, worse on the pairs

    assert PredictorVersion.current() == paired
    assert "Not saved: best-of accuracy" in output, output
    assert "generation best-of accuracy" in output
    assert "Spearman" not in output.split("Not saved:")[1], output  # its Spearman held
    # Measured on the current head's held-out groups only (it trained on the others).
    assert f"Best-of accuracy ({paired.metrics['best_of_pairs']} held-out pairs)" in output


def test_a_head_that_loses_spearman_is_refused_even_when_pair_accuracy_holds(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_picks_against_the_ratings(make_images)
    train("--save")
    plain = PredictorVersion.current()

    output = train(*PAIRS, "--save-if-better")  # better on the pairs, worse on the rated images

    assert PredictorVersion.current() == plain
    refusal = output.split("Not saved:")[1]
    assert refusal.startswith(" held-out Spearman"), output
    assert "best-of accuracy" not in refusal, output  # its pair accuracy held


def test_better_on_both_is_saved(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=RATED, dim=DIM, unrated=UNRATED)
    truth = planted.truth(planted.embeddings[RATED:])
    plant_group_picks(planted.images[RATED:], planted.embeddings[RATED:], truth, rater=make_rater("agreeing"))
    train(*WEAK, "--save")
    weak = PredictorVersion.current()

    output = train(*PAIRS, "--save-if-better")  # picks that agree with the ratings: better on both
    better = PredictorVersion.current()

    assert better != weak, output
    compared = better.metrics["compared_with"]
    assert compared["version"] == weak.name
    assert better.metrics["spearman"] > compared["spearman"]
    assert better.metrics["best_of_accuracy"] > compared["best_of_accuracy"]


def test_without_pairs_spearman_alone_decides_and_says_so(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_ratings(make_images, count=RATED, dim=DIM)
    train(*WEAK, "--save")
    weak = PredictorVersion.current()

    output = train("--save-if-better")

    assert PredictorVersion.current() != weak, output
    assert (
        "Not compared with the current head: best-of accuracy (no held-out pairs); "
        "generation best-of accuracy (no held-out pairs)."
    ) in output
