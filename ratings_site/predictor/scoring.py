"""Scoring stored embeddings with a version's head(s): no images, no CLIP needed."""

from __future__ import annotations

import numpy as np
import torch
from django.db.models import Exists, OuterRef

from ratings_site.predictor.heads import AestheticHead, HeadEnsemble, load_ensemble, load_head
from ratings_site.predictor.models import AestheticScore, ImageEmbedding, PredictorVersion
from ratings_site.predictor.versions import clip_key


def load_version_heads(version: PredictorVersion) -> tuple[AestheticHead, HeadEnsemble | None]:
    head = load_head(version.head_file)
    ensemble = load_ensemble(version.ensemble_file) if version.ensemble_file else None
    return head, ensemble


@torch.inference_mode()
def score_embeddings(
    embeddings: np.ndarray | torch.Tensor, head: AestheticHead, ensemble: HeadEnsemble | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores (N,) and, with an ensemble, uncertainties (N,): the ensemble's standard deviation."""
    x = torch.as_tensor(embeddings, dtype=torch.float32)
    head = head.float().eval()
    scores = head(x).cpu().numpy().astype(np.float64)
    uncertainty = None
    if ensemble is not None:
        uncertainty = ensemble.float().eval()(x).std(dim=0).cpu().numpy().astype(np.float64)
    return scores, uncertainty


def save_scores(version: PredictorVersion, image_ids, scores, uncertainty=None) -> None:
    rows = [
        AestheticScore(
            image_id=int(image_id),
            version=version,
            score=float(score),
            uncertainty=None if uncertainty is None else float(uncertainty[i]),
        )
        for i, (image_id, score) in enumerate(zip(image_ids, scores))
    ]
    AestheticScore.objects.bulk_create(rows, ignore_conflicts=True)


def score_stored_embeddings(version: PredictorVersion, *, batch_size: int = 8192, progress=None) -> int:
    """Score every image that has an embedding for this version's CLIP model but no score of this version."""
    head, ensemble = load_version_heads(version)
    key = clip_key(version.clip_model, version.clip_pretrained)
    pending = (
        ImageEmbedding.objects.filter(clip_model=key)
        .filter(~Exists(AestheticScore.objects.filter(version=version, image=OuterRef("image"))))
        .order_by("image_id")
    )
    done = 0
    last_id = 0
    while True:
        rows = list(pending.filter(image_id__gt=last_id).values_list("image_id", "vector")[:batch_size])
        if not rows:
            return done
        ids = [image_id for image_id, _ in rows]
        vectors = np.stack([np.frombuffer(bytes(vector), dtype=np.float16) for _, vector in rows]).astype(np.float32)
        scores, uncertainty = score_embeddings(vectors, head, ensemble)
        save_scores(version, ids, scores, uncertainty)
        done += len(ids)
        last_id = ids[-1]
        if progress is not None:
            progress.update(len(ids))
