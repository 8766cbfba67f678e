"""Saving a run's head: the files under PREDICTOR_DIR and the PredictorVersion that makes it current (imports torch
through heads)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ratings_site.predictor.heads import save_ensemble, save_head
from ratings_site.predictor.models import PredictorVersion
from ratings_site.predictor.training.run import TrainingReport
from ratings_site.predictor.versions import register_version


def save_version(
    report: TrainingReport, *, clip_model: str, pretrained: str, directory: Path | None = None
) -> PredictorVersion:
    """Write the head (and ensemble) under PREDICTOR_DIR and register them as the current version."""
    directory = Path(settings.PREDICTOR_DIR if directory is None else directory)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    head_file = directory / f"head-{stamp}.safetensors"
    sha256 = save_head(report.trained.head, head_file)
    ensemble_file = None
    if report.ensemble is not None:
        ensemble_file = directory / f"ensemble-{stamp}.safetensors"
        save_ensemble(report.ensemble, ensemble_file)
    return register_version(
        clip_model=clip_model,
        clip_pretrained=pretrained,
        embedding_dim=report.embedding_dim,
        head_file=head_file,
        head_sha256=sha256,
        ensemble_file=ensemble_file,
        ensemble_size=len(report.ensemble.heads) if report.ensemble is not None else 0,
        metrics=report.metrics(),
        make_current=True,
    )
