"""predict_aesthetics runs the whole pipeline on the demo pictures: read, embed, store, score."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ratings_site.predictor.heads import load_head
from ratings_site.predictor.models import AestheticScore, ImageEmbedding, PredictorVersion
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    EMBEDDING_DIM,
    TINY_CLIP_KEY,
    embeddings,
    forget_scores_and_embeddings,
    predict,
    predictor_dirs,
    scores_of,
    seed_demo,
    summary,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_scores_and_embeds_every_demo_image_once(predictor_dirs, capsys):
    images = seed_demo(12)

    output = predict(progress=True)

    version = PredictorVersion.current()
    assert version is not None
    assert (version.clip_model, version.clip_pretrained, version.embedding_dim) == ("tiny-clip-test", "none", 32)
    demo_ids = [image.pk for image in images]
    assert sorted(AestheticScore.objects.values_list("image_id", flat=True)) == demo_ids, "one score each, no captcha"
    assert sorted(ImageEmbedding.objects.values_list("image_id", flat=True)) == demo_ids
    assert not AestheticScore.objects.exclude(version=version).exists()
    for embedding in ImageEmbedding.objects.all():
        assert embedding.clip_model == TINY_CLIP_KEY
        assert len(bytes(embedding.vector)) == EMBEDDING_DIM * 2, "float16"
        vector = embedding.as_array()
        assert vector.dtype == np.float16 and vector.shape == (EMBEDDING_DIM,)
        assert np.linalg.norm(vector.astype(np.float32)) == pytest.approx(1.0, abs=2e-3)
    # The model looked at the pixels: different pictures, different embeddings and scores.
    vectors = embeddings()
    assert len({vector.tobytes() for vector in vectors.values()}) == 12
    scores = scores_of(version)
    assert len(set(scores.values())) == 12
    # Each score is the version's head applied to the image's embedding.
    head = load_head(version.head_file)
    with torch.no_grad():
        expected = head(torch.from_numpy(np.stack([vectors[i] for i in demo_ids]))).numpy()
    assert [scores[i] for i in demo_ids] == pytest.approx(expected.tolist(), abs=5e-5)

    figures = summary(output)
    assert (figures["scored"], figures["stored"], figures["broken"]) == (12, 0, 0)
    assert figures["rate"] > 0
    assert "12 images to score" in output
    # Then the queue follows the new scores (no ensemble yet: stratified), said in words.
    assert "Priorities: Strategy stratified (fell back from uncertainty: no ensemble disagreement yet)" in output
    assert "12 scored images in the queue" in output
    progress = capsys.readouterr().err
    assert "Scoring" in progress and "12/12" in progress and "img/s" in progress


def test_a_second_run_scores_nothing_new(predictor_dirs):
    seed_demo(12)
    predict()
    before = list(AestheticScore.objects.order_by("pk").values_list("pk", "image_id", "score", "created_at"))

    output = predict()

    assert "0 images to score" in output
    assert summary(output)["scored"] == 0
    assert list(AestheticScore.objects.order_by("pk").values_list("pk", "image_id", "score", "created_at")) == before
    assert ImageEmbedding.objects.count() == 12
    assert PredictorVersion.objects.count() == 1


def test_worker_processes_give_the_same_scores_as_reading_in_the_main_process(predictor_dirs):
    seed_demo(12)
    predict(workers=0)
    version = PredictorVersion.current()
    in_process_scores, in_process_embeddings = scores_of(version), embeddings()
    forget_scores_and_embeddings()

    output = predict(workers=2)

    assert "2 workers" in output
    assert summary(output)["scored"] == 12
    assert PredictorVersion.current() == version, "the same random weights, so the same head file"
    assert scores_of(version) == pytest.approx(in_process_scores, rel=1e-5, abs=1e-6)
    worker_embeddings = embeddings()
    assert worker_embeddings.keys() == in_process_embeddings.keys()
    for image_id, vector in worker_embeddings.items():
        np.testing.assert_allclose(vector, in_process_embeddings[image_id], atol=1e-3)
