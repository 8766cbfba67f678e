"""--shard I/N: N runs that share nothing but the database split the images, each image to exactly one of them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import CommandError
from django.db import connection

from ratings_site.predictor.models import AestheticScore, PredictorVersion
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    ROOT,
    TINY_CLIP,
    forget_scores_and_embeddings,
    other_process_environment,
    predict,
    predictor_dirs,
    seed_demo,
    summary,
)


@pytest.mark.django_db(transaction=True)
def test_each_shard_takes_its_own_images_whatever_the_others_did(predictor_dirs):
    images = seed_demo(12)
    taken: list[set[int]] = []

    for index in range(3):
        output = predict("--shard", f"{index}/3")
        scored = set(AestheticScore.objects.values_list("image_id", flat=True))
        assert summary(output)["scored"] == len(scored) > 0
        assert f"shard {index}/3" in output
        taken.append(scored)
        forget_scores_and_embeddings()  # as if the other shards had not run yet

    assert not (taken[0] & taken[1]) and not (taken[0] & taken[2]) and not (taken[1] & taken[2])
    assert taken[0] | taken[1] | taken[2] == {image.pk for image in images}


@pytest.mark.django_db(transaction=True)
def test_the_shards_together_score_every_image_exactly_once(predictor_dirs):
    images = seed_demo(12)

    outputs = [predict("--shard", f"{index}/3") for index in (2, 0, 1)]

    assert sum(summary(output)["scored"] for output in outputs) == 12, "no image scored by two shards"
    assert all(summary(output)["scored"] > 0 for output in outputs)
    assert Counter(AestheticScore.objects.values_list("image_id", flat=True)) == {image.pk: 1 for image in images}
    assert PredictorVersion.objects.count() == 1
    assert "0 images to score" in predict()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="processes sharing a database need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_shards_running_at_the_same_time_in_their_own_processes_split_the_images(predictor_dirs, settings):
    images = seed_demo(12)
    command = [sys.executable, "manage.py", "predict_aesthetics", *TINY_CLIP, "--head", "none", "--batch-size", "2"]
    shards = [
        subprocess.Popen(
            [*command, "--workers", str(index % 2), "--no-progress", "--shard", f"{index}/3"],
            cwd=ROOT, env=other_process_environment(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for index in range(3)
    ]  # fmt: skip
    outputs = [shard.communicate(timeout=120) for shard in shards]

    for shard, (_out, err) in zip(shards, outputs):
        assert shard.returncode == 0, err[-3000:]
    assert sum(summary(out)["scored"] for out, _ in outputs) == 12, "no image scored by two shards"
    assert all(summary(out)["scored"] > 0 for out, _ in outputs)
    assert Counter(AestheticScore.objects.values_list("image_id", flat=True)) == {image.pk: 1 for image in images}
    assert PredictorVersion.objects.count() == 1, "the three processes registered the same version"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shard", "message"),
    [
        ("3/3", "--shard 3/3: need 0 <= I < N"),
        ("-1/3", "--shard -1/3: need 0 <= I < N"),
        ("0/0", "--shard 0/0: need 0 <= I < N"),
        ("x", "--shard must look like I/N (e.g. 0/4), got 'x'"),
        ("1", "--shard must look like I/N (e.g. 0/4), got '1'"),
        ("1/2/3", "--shard must look like I/N (e.g. 0/4), got '1/2/3'"),
        ("a/b", "--shard must look like I/N (e.g. 0/4), got 'a/b'"),
    ],
)
def test_a_malformed_shard_is_refused(predictor_dirs, make_images, shard, message):
    make_images(3)

    with pytest.raises(CommandError) as refused:
        predict(f"--shard={shard}")

    assert str(refused.value) == message
    assert not PredictorVersion.objects.exists()
    assert not AestheticScore.objects.exists()
