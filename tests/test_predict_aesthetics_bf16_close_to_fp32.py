"""`predict_aesthetics --precision bf16`: the tower runs under autocast in bfloat16 (on a GPU the weights are
bfloat16 too) and gives embeddings and scores close to fp32's; the run says which precision it used.

On the CPU this is the same autocast code path the GPU takes, with device type "cpu".
"""

from __future__ import annotations

import numpy as np
import pytest

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

pytestmark = pytest.mark.django_db(transaction=True)


def test_bf16_embeddings_and_scores_are_close_to_fp32(predictor_dirs):
    seed_demo(12)
    fp32_output = predict()
    fp32_embeddings = embeddings()
    fp32_scores = scores_of(PredictorVersion.current())
    forget_scores_and_embeddings()

    output = predict("--precision", "bf16")

    assert "on cpu (bf16)" in output and "on cpu (fp32)" in fp32_output
    assert summary(output)["scored"] == 12
    bf16_embeddings = embeddings()
    assert bf16_embeddings.keys() == fp32_embeddings.keys()
    ids = sorted(fp32_embeddings)
    cosines = [float(np.dot(bf16_embeddings[i], fp32_embeddings[i])) for i in ids]  # unit vectors
    assert min(cosines) > 0.999
    assert max(float(np.abs(bf16_embeddings[i] - fp32_embeddings[i]).max()) for i in ids) > 0, "bf16 did run"
    bf16_scores = scores_of(PredictorVersion.current())
    spread = np.ptp([fp32_scores[i] for i in ids])
    assert [bf16_scores[i] for i in ids] == pytest.approx([fp32_scores[i] for i in ids], abs=0.05 * spread)
