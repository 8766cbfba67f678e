"""What the predictor stores: embeddings, scores and the versions that made them.

This module must not import torch: the web process loads it (admin, stats page).
"""

from __future__ import annotations

import numpy as np
from django.db import models


class PredictorVersion(models.Model):
    """A CLIP image model plus an MLP head (and optionally an ensemble of heads for uncertainty)."""

    name = models.CharField(max_length=200, unique=True)
    clip_model = models.CharField(max_length=100, help_text="open_clip model name, e.g. ViT-H-14")
    clip_pretrained = models.CharField(max_length=300, blank=True, help_text="open_clip tag or checkpoint path")
    embedding_dim = models.PositiveIntegerField()
    head_file = models.CharField(max_length=500, help_text="The head, in the published format (layers.0 … layers.7)")
    head_sha256 = models.CharField(max_length=64)
    ensemble_file = models.CharField(max_length=500, blank=True, help_text="Bootstrap heads for the uncertainty strategy")
    ensemble_size = models.PositiveSmallIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True), name="one_current_predictor"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> PredictorVersion | None:
        return cls.objects.filter(is_current=True).first()


class ImageEmbedding(models.Model):
    """The L2-normalised CLIP image embedding, float16 bytes, in its own table so image rows stay small."""

    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="embeddings")
    clip_model = models.CharField(max_length=400, help_text="model name and pretrained weights")
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "clip_model"], name="embedding_once_per_model")]

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float16)


class GenerationEmbedding(models.Model):
    """The CLIP image embedding of a copied generation image (generations.GenerationImage), stored as
    ImageEmbedding stores a dataset image's: L2-normalised, float16 bytes, once per CLIP key.

    Filled by `manage.py embed_generations`; train_predictor measures heads on the generation sets' best-of
    pairs with them (a head never trains on generation images).
    """

    image = models.ForeignKey("generations.GenerationImage", on_delete=models.CASCADE, related_name="embeddings")
    clip_model = models.CharField(max_length=400, help_text="model name and pretrained weights")
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "clip_model"], name="generation_embedding_once_per_model")]

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float16)


class AestheticScore(models.Model):
    """A predicted mean rating of an image by one predictor version."""

    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="aesthetic_scores")
    version = models.ForeignKey(PredictorVersion, on_delete=models.CASCADE, related_name="scores")
    score = models.FloatField()
    uncertainty = models.FloatField(null=True, blank=True, help_text="Spread of the ensemble's predictions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "image"], name="score_once_per_version")]
