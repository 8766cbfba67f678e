"""train_predictor measures both heads on the best-of pairs of rated generation sets whose images have a
GenerationEmbedding under the key (no generation image is trained on), prints the figure beside the current
head's, keeps it in the version's metrics, and says how many generation pairs lack an embedding. Pairs of a
flagged rater do not count; pairs the Horde's intake recorded without a rater do."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from ratings_site.generations.models import GenerationImage, GenerationSet, Preference, Source
from ratings_site.predictor.models import PredictorVersion
from tests.planted_ratings import KEY, KEY_MODEL, KEY_PRETRAINED, make_rater, plant_generation_pairs, plant_ratings

TRAIN = ["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "adam", "--batch-size", "64", "--ensemble", "0"]
TRAIN += ["--threads", "1", "--no-progress", "--epochs", "20"]


def train(*options: str) -> str:
    out = StringIO()
    call_command("train_predictor", *TRAIN, *options, stdout=out)
    return out.getvalue()


def pair_without_embeddings() -> None:
    generation_set = GenerationSet.objects.create(request_id="not-embedded", source=Source.HORDE)
    winner, loser = (
        GenerationImage.objects.create(generation_set=generation_set, generation_id=f"w{i}", position=i) for i in (0, 1)
    )
    Preference.objects.create(generation_set=generation_set, winner=winner, loser=loser, source=Source.HORDE)


def test_generation_best_of_accuracy_is_printed_and_stored(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    planted = plant_ratings(make_images, count=300, dim=16)
    anonymous = plant_generation_pairs(planted, sets=30, rater=None, seed=1)
    rated = plant_generation_pairs(planted, sets=30, rater=make_rater("generator"), seed=2)
    plant_generation_pairs(planted, sets=30, agree=False, rater=make_rater("cheat", flagged=True), seed=3)
    pair_without_embeddings()
    pairs = anonymous + rated
    assert anonymous > 10 and rated > 10

    output = train("--save")

    assert f"Generation best-of accuracy ({pairs} pairs)" in output, output
    assert f"(1 pairs from rated generation sets lack a {KEY} embedding: run embed_generations)" in output, output
    first = PredictorVersion.current()
    assert first.metrics["generation_pairs"] == pairs
    assert first.metrics["generation_pairs_without_embedding"] == 1
    assert first.metrics["generation_best_of_accuracy"] > 0.8
    assert "generation_pairs_not_measured" not in first.metrics

    again = train("--save", "--seed", "1")

    line = next(line for line in again.splitlines() if line.startswith("Generation best-of accuracy"))
    assert len([cell for cell in line.split()[5:] if cell.endswith("%")]) == 2, line  # new and current
    second = PredictorVersion.current()
    assert second.metrics["compared_with"]["version"] == first.name
    assert second.metrics["compared_with"]["generation_best_of_accuracy"] == first.metrics["generation_best_of_accuracy"]
