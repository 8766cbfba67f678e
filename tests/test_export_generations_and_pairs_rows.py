"""generations.parquet has one row per rated image of a rated generation set (with its copy's permanent URL when
the site keeps one); pairs.parquet has the best of each set beating every other rated image, and each best-of
pick's winner beating the other images of its prompt group."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile

from ratings_site.generations.models import GenerationImage, GenerationSet
from ratings_site.raters.models import Rater
from tests.export_helpers import (
    export,
    make_best_pick,
    make_dataset_images,
    make_rated_generation_set,
    make_rater,
    read_rows,
)

pytestmark = pytest.mark.django_db


def test_each_rated_generation_image_is_a_row(tmp_path):
    rater = make_rater()
    generation_set = make_rated_generation_set(rater, ratings=(9, 4, 2), best=0)
    copied = generation_set.images.order_by("position").first()
    copied.file.save("copy.webp", ContentFile(b"bytes"), save=False)
    copied.copy_state, copied.sha256, copied.width, copied.height = "copied", "ab" * 32, 512, 768
    copied.save()
    unrated = GenerationSet.objects.create(request_id="not-rated", rater=rater, source="page")
    GenerationImage.objects.create(generation_set=unrated, generation_id="g-unrated")

    export(tmp_path, "--base-url", "https://ratings.example.org")

    rows = read_rows(tmp_path / "generations.parquet")
    images = list(generation_set.images.order_by("position"))
    assert [row["generation_id"] for row in rows] == [image.generation_id for image in images]
    first, second = rows[0], rows[1]
    assert first["request_id"] == generation_set.request_id
    assert (first["prompt"], first["negative_prompt"]) == (generation_set.prompt, "blurry")
    assert json.loads(first["params"]) == {"steps": 30, "sampler_name": "k_euler"}
    assert (first["model"], first["seed"], first["rating"], first["artifacts"]) == ("stable_diffusion", "1000", 9, 0)
    assert [row["best"] for row in rows] == [True, False, False]
    assert first["image_url"] == f"https://ratings.example.org{copied.file.url}"
    assert (first["sha256"], first["width"], first["height"]) == ("ab" * 32, 512, 768)
    assert (second["image_url"], second["sha256"], second["width"], second["height"]) == (None, None, None, None)
    assert first["client_agent"] == "test-client:1:nobody"
    assert first["rated_at"] == generation_set.rated_at
    assert len(first["user_id"]) == 64


def test_a_set_the_horde_brought_before_its_rater_has_no_user_id(tmp_path):
    make_rated_generation_set(None, best=None)

    export(tmp_path)

    assert {row["user_id"] for row in read_rows(tmp_path / "generations.parquet")} == {None}
    assert read_rows(tmp_path / "pairs.parquet") == []  # no best: no pairs


def test_the_best_of_a_set_and_a_best_of_pick_become_pairs(tmp_path):
    rater, picker = make_rater(), make_rater("anonymous")
    generation_set = make_rated_generation_set(rater, ratings=(3, 8, 5), best=1)
    images = make_dataset_images(3)
    pick = make_best_pick(picker, images, winner=2)

    export(tmp_path)

    generated = list(generation_set.images.order_by("position").values_list("generation_id", flat=True))
    pairs = read_rows(tmp_path / "pairs.parquet")
    assert {(row["winner"], row["loser"], row["group"], row["source"]) for row in pairs} == {
        (generated[1], generated[0], generation_set.request_id, "generation_set"),
        (generated[1], generated[2], generation_set.request_id, "generation_set"),
        (str(images[2].public_id), str(images[0].public_id), str(pick.group_id), "best_of"),
        (str(images[2].public_id), str(images[1].public_id), str(pick.group_id), "best_of"),
    }
    hashed = {row["source"]: row["user_id"] for row in pairs}
    assert hashed["generation_set"] != hashed["best_of"]
    assert all(row["created_at"] is not None for row in pairs)
    assert Rater.objects.count() == 2
