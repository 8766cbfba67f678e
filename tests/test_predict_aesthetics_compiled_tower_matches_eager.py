"""`predict_aesthetics --compile`: the torch.compile'd image tower gives the eager tower's embeddings and scores,
compiles once per run (a short last batch is padded, not compiled again), and says how long compiling took.

On the CPU this runs torch's inductor backend (it needs a C compiler, as CUDA's needs Triton); on a GPU the same
code compiles for CUDA.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from ratings_site.predictor.models import PredictorVersion
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    embeddings,
    forget_scores_and_embeddings,
    predict,
    predictor_dirs,
    scores_of,
    seed_demo,
    summary,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("cc"), reason="torch.compile on the CPU needs a C compiler"),
]


@pytest.fixture
def fresh_dynamo():
    """No compiled code from earlier tests, and a second compilation of the tower fails the run."""
    torch._dynamo.reset()
    with torch._dynamo.config.patch(error_on_recompile=True):
        yield
    torch._dynamo.reset()


def test_compiled_tower_scores_like_the_eager_one_and_compiles_once(predictor_dirs, fresh_dynamo):
    images = seed_demo(12)
    predict(batch_size=8)
    eager_embeddings = embeddings()
    eager_scores = scores_of(PredictorVersion.current())
    forget_scores_and_embeddings()

    output = predict("--compile", batch_size=8, workers=1)  # batches of 8 and 4

    figures = summary(output)
    assert (figures["scored"], figures["stored"], figures["broken"]) == (12, 0, 0)
    assert "Compiling the image tower took" in output
    compiled_embeddings = embeddings()
    assert sorted(compiled_embeddings) == sorted(image.pk for image in images)
    for image_id, vector in compiled_embeddings.items():
        np.testing.assert_allclose(vector, eager_embeddings[image_id], atol=2e-3)  # both stored as float16
    compiled_scores = scores_of(PredictorVersion.current())
    assert compiled_scores.keys() == eager_scores.keys()
    assert [compiled_scores[i] for i in sorted(eager_scores)] == pytest.approx(
        [eager_scores[i] for i in sorted(eager_scores)], abs=1e-3
    )


def test_without_compile_nothing_is_compiled_or_reported(predictor_dirs, fresh_dynamo):
    seed_demo(4)
    output = predict(batch_size=8)
    assert "Compiling" not in output
    assert summary(output)["scored"] == 4
