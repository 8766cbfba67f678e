"""A new head for the same CLIP model scores every image from the stored embeddings, reading no image."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from ratings_site.datasets.models import Image
from ratings_site.predictor.heads import AestheticHead, save_head
from ratings_site.predictor.models import AestheticScore, ImageEmbedding, PredictorVersion
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    EMBEDDING_DIM,
    embeddings,
    predict,
    predictor_dirs,
    scores_of,
    seed_demo,
    summary,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_head_is_scored_from_stored_embeddings_without_the_images(predictor_dirs):
    images = seed_demo(12)
    predict()
    first = PredictorVersion.current()
    stored = embeddings()
    torch.manual_seed(1)
    head = AestheticHead(EMBEDDING_DIM)
    head_file = predictor_dirs / "second-head.safetensors"
    save_head(head, head_file)
    shutil.rmtree(predictor_dirs / "media")  # any attempt to read an image would now mark it broken

    output = predict(head=str(head_file))

    assert "(12 from stored embeddings)" in output
    assert summary(output)["scored"] == 12
    assert not Image.objects.filter(broken=True).exists()
    second = PredictorVersion.current()
    assert second != first and second.head_file == str(head_file)
    ids = [image.pk for image in images]
    scores = scores_of(second)
    assert sorted(scores) == ids
    with torch.no_grad():
        expected = head.eval()(torch.from_numpy(np.stack([stored[i] for i in ids]))).numpy()
    assert [scores[i] for i in ids] == pytest.approx(expected.tolist(), abs=1e-5)
    assert scores != scores_of(first)
    assert AestheticScore.objects.filter(version=first).count() == 12, "the first version's scores are kept"
    assert ImageEmbedding.objects.count() == 12, "no second copy of an embedding"
    assert embeddings().keys() == stored.keys()
    assert all(np.array_equal(vector, stored[i]) for i, vector in embeddings().items())


def test_only_images_without_an_embedding_are_read(predictor_dirs):
    embedded = seed_demo(8)
    predict()
    for image in embedded:
        (predictor_dirs / "media" / image.file.name).unlink()
    new = [image for image in seed_demo(12) if image.pk not in {old.pk for old in embedded}]
    assert len(new) == 4
    torch.manual_seed(2)
    head_file = predictor_dirs / "another-head.pth"
    save_head(AestheticHead(EMBEDDING_DIM), head_file)

    output = predict(head=str(head_file))

    figures = summary(output)
    assert (figures["scored"], figures["stored"], figures["broken"]) == (12, 8, 0)
    assert not Image.objects.filter(broken=True).exists()
    assert sorted(scores_of(PredictorVersion.current())) == sorted(image.pk for image in embedded + new)
    assert sorted(embeddings()) == sorted(image.pk for image in embedded + new)
