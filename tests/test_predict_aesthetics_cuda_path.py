"""The CUDA path of `predict_aesthetics`: batches come to the GPU from pinned memory, and a bf16, compiled run on
the GPU gives the embeddings of an fp32 run on the CPU. Runs only where torch sees a CUDA GPU (skipped in CI).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ratings_site.predictor.clip import load_clip
from ratings_site.predictor.pipeline import ReadLimits, make_loader
from ratings_site.predictor.predict import _item
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    DATA,
    embeddings,
    forget_scores_and_embeddings,
    predict,
    predictor_dirs,
    seed_demo,
    summary,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def test_batches_reach_the_gpu_from_pinned_memory(predictor_dirs):
    images = seed_demo(12)
    items = [_item(image.pk, image.file.name, image.url) for image in images]
    clip = load_clip(
        "tiny-clip-test",
        "none",
        device=torch.device("cuda"),
        dtype=torch.bfloat16,
        model_config=str(DATA / "tiny-clip-test.json"),
    )
    limits = ReadLimits.from_settings(timeout=5)
    loader = make_loader(items, clip.preprocess, batch_size=8, workers=1, pin_memory=True, limits=limits)

    batches = list(loader)

    assert [len(batch.ids) for batch in batches] == [8, 4]
    assert all(batch.pixels.is_pinned() for batch in batches)


def test_a_compiled_bf16_run_on_the_gpu_embeds_like_fp32_on_the_cpu(predictor_dirs):
    seed_demo(12)
    predict()
    cpu_embeddings = embeddings()
    forget_scores_and_embeddings()

    output = predict("--device", "cuda", "--precision", "bf16", "--compile", workers=2)

    assert "on cuda (bf16)" in output and "Compiling the image tower took" in output
    assert summary(output)["scored"] == 12
    gpu_embeddings = embeddings()
    assert gpu_embeddings.keys() == cpu_embeddings.keys()
    assert min(float(np.dot(gpu_embeddings[i], cpu_embeddings[i])) for i in cpu_embeddings) > 0.99
