"""Figures for moderators: how the human ratings compare with the predictor. No torch here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import F, FloatField, OuterRef, Subquery
from django.db.models.functions import Cast

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion

SCATTER_POINTS = 2000


@dataclass
class Scatter:
    version: PredictorVersion | None
    points: list[tuple[float, float]]  # (human mean, predicted)
    pearson: float | None
    width: int = 420
    height: int = 420
    margin: int = 40

    @property
    def capped(self) -> bool:
        """Only the SCATTER_POINTS most recently added rated images are plotted (and in Pearson's r)."""
        return len(self.points) >= SCATTER_POINTS

    def svg_points(self) -> list[tuple[float, float]]:
        """Points in SVG coordinates: x = human mean (1..10), y = predicted (clamped to 1..10)."""
        inner_w, inner_h = self.width - 2 * self.margin, self.height - 2 * self.margin

        def scale(value: float, size: int) -> float:
            return (min(max(value, 1.0), 10.0) - 1.0) / 9.0 * size

        return [
            (round(self.margin + scale(human, inner_w), 1), round(self.height - self.margin - scale(predicted, inner_h), 1))
            for human, predicted in self.points
        ]

    def ticks(self) -> list[dict]:
        inner_w, inner_h = self.width - 2 * self.margin, self.height - 2 * self.margin
        return [
            {
                "value": value,
                "x": round(self.margin + (value - 1) / 9 * inner_w, 1),
                "y": round(self.height - self.margin - (value - 1) / 9 * inner_h, 1),
            }
            for value in range(1, 11)
        ]


def predicted_vs_human(min_ratings: int = 1) -> Scatter:
    """Up to SCATTER_POINTS rated images with the current predictor's score beside their human mean."""
    version = PredictorVersion.current()
    if version is None:
        return Scatter(None, [], None)
    predicted = AestheticScore.objects.filter(version=version, image=OuterRef("pk")).values("score")[:1]
    rows = list(
        Image.objects.filter(ratings_count__gte=min_ratings, is_captcha=False, hidden=False)
        .annotate(
            human=Cast(F("rating_sum"), FloatField()) / F("ratings_count"),
            predicted=Subquery(predicted, output_field=FloatField()),
        )
        .filter(predicted__isnull=False)
        .order_by("-id")
        .values_list("human", "predicted")[:SCATTER_POINTS]
    )
    pearson = None
    if len(rows) >= 3:
        data = np.asarray(rows, dtype=np.float64)
        if data[:, 0].std() > 0 and data[:, 1].std() > 0:
            pearson = float(np.corrcoef(data[:, 0], data[:, 1])[0, 1])
    return Scatter(version, [(float(h), float(p)) for h, p in rows], pearson)
