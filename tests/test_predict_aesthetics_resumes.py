"""A run stopped or killed after some batches keeps them, and the next run scores only the rest."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from ratings_site.datasets.models import Dataset, Image
from ratings_site.predictor.models import AestheticScore, ImageEmbedding
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    ROOT,
    TINY_CLIP,
    other_process_environment,
    predict,
    predictor_dirs,
    seed_demo,
    summary,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _scores() -> dict[int, tuple]:
    return {row[0]: row for row in AestheticScore.objects.values_list("image_id", "pk", "created_at", "score")}


def _embeddings() -> dict[int, tuple]:
    rows = ImageEmbedding.objects.values_list("image_id", "pk", "created_at", "vector")
    return {image_id: (pk, created_at, bytes(vector)) for image_id, pk, created_at, vector in rows}


@pytest.mark.parametrize("workers", [0, 2], ids=["in process", "2 workers"])
def test_a_stopped_run_resumes_without_redoing_finished_batches(predictor_dirs, workers):
    images = seed_demo(12)

    first = predict("--max-batches", "1", batch_size=4, workers=workers)

    assert summary(first)["scored"] == 4
    assert AestheticScore.objects.count() == 4
    assert ImageEmbedding.objects.count() == 4
    scores_before, embeddings_before = _scores(), _embeddings()

    second = predict(batch_size=4, workers=workers)

    assert "8 images to score" in second
    figures = summary(second)
    assert (figures["scored"], figures["stored"]) == (8, 0)
    assert Counter(AestheticScore.objects.values_list("image_id", flat=True)) == {image.pk: 1 for image in images}
    assert ImageEmbedding.objects.count() == 12
    scores_after, embeddings_after = _scores(), _embeddings()
    assert {i: scores_after[i] for i in scores_before} == scores_before, "the first batch's rows are as they were"
    assert {i: embeddings_after[i] for i in embeddings_before} == embeddings_before


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process sharing the database needs PostgreSQL")
def test_a_killed_run_keeps_its_finished_batches_and_the_next_run_does_the_rest(predictor_dirs, settings):
    """The run is killed (SIGKILL) while it waits on an image server that never answers."""
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the server that never answers is on 127.0.0.1
    finished = seed_demo(8)
    demo = Dataset.objects.get(slug="demo")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        stalls = Image.objects.create(
            dataset=demo, url=f"http://127.0.0.1:{silent.getsockname()[1]}/slow.png", dedupe_key="slow"
        )
        rest = [
            Image.objects.create(dataset=demo, file=finished[i].file.name, dedupe_key=f"copy-{i}") for i in range(3)
        ]
        run = subprocess.Popen(
            [sys.executable, "manage.py", "predict_aesthetics", *TINY_CLIP, "--head", "none", "--batch-size", "1",
             "--workers", "0", "--timeout", "120", "--no-progress"],
            cwd=ROOT, env=other_process_environment(settings),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while AestheticScore.objects.count() < 8 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        run.kill()
        _, errors = run.communicate(timeout=30)
    assert run.returncode == -signal.SIGKILL, errors[-3000:]
    assert sorted(AestheticScore.objects.values_list("image_id", flat=True)) == [image.pk for image in finished]
    assert sorted(ImageEmbedding.objects.values_list("image_id", flat=True)) == [image.pk for image in finished]
    scores_before, embeddings_before = _scores(), _embeddings()

    output = predict("--timeout", "1", batch_size=4)

    assert "4 images to score" in output
    figures = summary(output)
    assert (figures["scored"], figures["stored"], figures["broken"]) == (3, 0, 1)
    assert Image.objects.get(pk=stalls.pk).broken
    expected = {image.pk: 1 for image in finished + rest}
    assert Counter(AestheticScore.objects.values_list("image_id", flat=True)) == expected
    scores_after, embeddings_after = _scores(), _embeddings()
    assert {i: scores_after[i] for i in scores_before} == scores_before
    assert {i: embeddings_after[i] for i in embeddings_before} == embeddings_before
