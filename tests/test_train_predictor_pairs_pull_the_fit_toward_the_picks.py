"""train_predictor --pairs adds the raters' best-of pairs (dataset prompt groups and rated generation sets) as a
Bradley–Terry loss: when the picks follow another aesthetic than the ratings, the head moves toward the picks'
(higher accuracy on held-out groups it did not train on), the more so the higher --pair-weight; the report gives
the pairs it trained on and its accuracy on them and on the held-out ones. Pairs of a flagged rater are not
trained on."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ratings_site.predictor.heads import load_head
from ratings_site.predictor.models import PredictorVersion
from ratings_site.predictor.training.fitting import predict
from tests.planted_ratings import (
    KEY_MODEL,
    KEY_PRETRAINED,
    make_rater,
    plant_generation_pairs,
    plant_group_picks,
    plant_ratings,
    store_embeddings,
    unit_vectors,
)

RATED, UNRATED, DIM = 240, 400, 16
TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--ensemble", "0", "--threads", "1"]
TRAIN += ["--no-progress", "--epochs", "20", "--batch-size", "64"]


def train(*options: str) -> tuple[str, dict]:
    out = StringIO()
    call_command("train_predictor", *TRAIN, *options, "--save", stdout=out)
    return out.getvalue(), PredictorVersion.current().metrics


def share_along(direction: np.ndarray) -> float:
    """How much of the current head's (linear) function points along `direction`: the cosine between its
    effective weights (its change along each axis) and the direction."""
    head = load_head(PredictorVersion.current().head_file)
    weights = predict(head, np.eye(DIM, dtype=np.float32)) - predict(head, np.zeros((1, DIM), np.float32))
    return float(weights @ direction / np.linalg.norm(weights))


def plant_conflicting_picks(make_images):
    """Ratings that follow the planted aesthetic; best-of picks (of the unrated images' prompt groups, and of
    generation sets) that follow another direction of the embeddings."""
    planted = plant_ratings(make_images, count=RATED, dim=DIM, unrated=UNRATED)
    other = unit_vectors(np.random.default_rng(99), 1, DIM)[0]
    other -= (other @ planted.direction) * planted.direction  # orthogonal to the ratings' aesthetic
    other /= np.linalg.norm(other)

    def picked(embeddings: np.ndarray) -> np.ndarray:
        return 5.5 + 2.0 * np.sqrt(DIM) * (embeddings @ other)

    picker = make_rater("picker")
    groups = plant_group_picks(
        planted.images[RATED:], planted.embeddings[RATED:], picked(planted.embeddings[RATED:]), rater=picker
    )
    sets = plant_generation_pairs(planted, sets=100, rater=picker, truth=picked)
    # A flagged rater's picks against the other direction: they must not be trained on.
    flagged = make_rater("flagged", flagged=True)
    flagged_images = make_images(40, dataset="flagged-picks")
    flagged_embeddings = unit_vectors(np.random.default_rng(5), 40, DIM)
    store_embeddings(flagged_images, flagged_embeddings)
    plant_group_picks(flagged_images, flagged_embeddings, -picked(flagged_embeddings), rater=flagged)
    return groups, sets, other


@pytest.mark.parametrize("method", ["ridge", "adam"])
def test_pairs_move_the_head_toward_the_picks(make_images, settings, tmp_path, method):
    settings.PREDICTOR_DIR = tmp_path
    groups, sets, other = plant_conflicting_picks(make_images)
    assert groups > 150 and sets > 60

    plain_output, plain = train("--method", method)
    plain_share = share_along(other)
    paired_output, paired = train("--method", method, "--pairs", "--pair-weight", "20")
    paired_share = share_along(other)

    assert abs(plain_share) < 0.2, plain_output  # the ratings say nothing of the picks' direction
    assert paired_share > 0.6, paired_output

    # The same held-out groups and sets measure both heads (the plain run's current version had no pairs, so it
    # held out every pick; the paired run is measured on its held-out share only).
    assert paired["train_pairs"] == paired["train_pairs_dataset"] + paired["train_pairs_generation"]
    assert paired["train_pairs_dataset"] > 40 and paired["train_pairs_generation"] > 30
    assert paired["best_of_pairs"] + paired["train_pairs_dataset"] == groups  # the flagged rater's left out
    assert paired["generation_pairs"] + paired["train_pairs_generation"] == sets
    assert paired["train_pair_accuracy"] > 0.85, paired_output
    compared = paired["compared_with"]  # the plain head, measured on the same held-out pairs
    assert paired["best_of_accuracy"] > compared["best_of_accuracy"] + 0.2, paired_output
    assert paired["generation_best_of_accuracy"] > compared["generation_best_of_accuracy"] + 0.2, paired_output
    assert paired["spearman"] < compared["spearman"]  # at the ratings' expense: they disagree with the picks
    assert plain["train_pairs"] == 0 and plain["train_pair_accuracy"] is None
    assert f"Training-pair accuracy ({paired['train_pairs']} pairs)" in paired_output
    assert f"Trained on {paired['train_pairs']} best-of pairs" in paired_output
    assert "Training-pair accuracy" not in plain_output


def test_a_higher_pair_weight_follows_the_picks_more(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    _, _, other = plant_conflicting_picks(make_images)

    _, light = train("--method", "ridge", "--pairs", "--pair-weight", "0.05")
    light_share = share_along(other)
    _, heavy = train("--method", "ridge", "--pairs", "--pair-weight", "20")
    heavy_share = share_along(other)

    assert heavy_share > light_share + 0.3
    assert heavy["train_pair_accuracy"] > light["train_pair_accuracy"]
    assert heavy["spearman"] < light["spearman"]
    assert heavy["newton_steps"] >= 1


def test_pair_options_need_pairs_and_sensible_values(make_images):
    for options, message in [
        (["--pair-weight", "2"], "--pair-weight and --pair-val-fraction apply to --pairs"),
        (["--pairs", "--pair-weight", "0"], "--pair-weight must be positive"),
        (["--pairs", "--pair-val-fraction", "0.9"], "--pair-val-fraction must be above 0 and at most 0.5"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("train_predictor", *TRAIN, *options)
