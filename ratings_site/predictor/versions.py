"""Predictor versions: which CLIP model and head produced a score. No torch here."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from ratings_site.predictor.models import PredictorVersion


def clip_key(clip_model: str, pretrained: str) -> str:
    """The name embeddings are stored under: the same model with other weights embeds differently."""
    return f"{clip_model}/{pretrained or 'none'}"


@transaction.atomic
def register_version(
    *,
    clip_model: str,
    clip_pretrained: str,
    embedding_dim: int,
    head_file: str | Path,
    head_sha256: str,
    ensemble_file: str | Path | None = None,
    ensemble_size: int = 0,
    metrics: dict | None = None,
    make_current: bool = True,
) -> PredictorVersion:
    """Get or create the version for this model and head; optionally make it the current one."""
    name = f"{clip_key(clip_model, clip_pretrained)}/head-{head_sha256[:12]}"
    version, created = PredictorVersion.objects.get_or_create(
        name=name,
        defaults={
            "clip_model": clip_model,
            "clip_pretrained": clip_pretrained or "none",
            "embedding_dim": embedding_dim,
            "head_file": str(head_file),
            "head_sha256": head_sha256,
            "ensemble_file": str(ensemble_file or ""),
            "ensemble_size": ensemble_size,
            "metrics": metrics or {},
        },
    )
    if not created and (ensemble_file or metrics):
        if ensemble_file:
            version.ensemble_file, version.ensemble_size = str(ensemble_file), ensemble_size
        if metrics:
            version.metrics = metrics
        version.save(update_fields=["ensemble_file", "ensemble_size", "metrics"])
    if make_current and not version.is_current:
        PredictorVersion.objects.filter(is_current=True).update(is_current=False)
        version.is_current = True
        version.save(update_fields=["is_current"])
    return version
