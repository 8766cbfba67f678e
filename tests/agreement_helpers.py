"""The agreement job's figures as kept (reliability tables) and as computed straight from the counted ratings, with
no stored state: the tests of reliability.agreement compare the two after every change."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from ratings_site.ratings.models import Rating
from ratings_site.reliability import alpha
from ratings_site.reliability.agreement import SAFETY_LAG, refresh_agreement
from ratings_site.reliability.models import DailyRatings, DatasetAgreement, StaleUnit


@pytest.fixture
def quick_ratings(settings):
    """Ratings as fast as a test makes them, and room for every rater on each image."""
    settings.RATING_MIN_SECONDS = 0
    settings.RATINGS_PER_MINUTE_MAX = 10_000
    settings.RATINGS_PER_IMAGE = 10


def later():
    """A clock past the safety lag: every rating made so far is old enough to take in."""
    return timezone.now() + SAFETY_LAG + timedelta(seconds=1)


def _flat(matrix) -> list[float]:
    return [value for row in matrix for value in row]


def direct() -> dict[int, dict]:
    """The figures straight from the counted ratings of images not hidden, with no stored state."""
    units: dict[int, tuple[int, list[int], list[int]]] = {}
    for image_id, dataset_id, rating, artifacts in Rating.objects.filter(counts=True, image__hidden=False).values_list(
        "image_id", "image__dataset_id", "rating", "artifacts"
    ):
        unit = units.setdefault(image_id, (dataset_id, [0] * 10, [0] * 6))
        unit[1][rating - 1] += 1
        if artifacts is not None:
            unit[2][artifacts] += 1
    by_dataset = defaultdict(list)
    for dataset_id, ratings, artifacts in units.values():
        by_dataset[dataset_id].append((ratings, artifacts))
    figures = {}
    for dataset_id, shares in by_dataset.items():
        ratings_matrix = alpha.coincidences([r for r, _ in shares], 10)
        artifacts_matrix = alpha.coincidences([a for _, a in shares], 6)
        per_image = Counter(sum(r) for r, _ in shares)
        figures[dataset_id] = {
            "rating_alpha": alpha.alpha(ratings_matrix, alpha.INTERVAL),
            "artifacts_alpha": alpha.alpha(artifacts_matrix, alpha.ORDINAL),
            "rating_coincidences": _flat(ratings_matrix),
            "artifacts_coincidences": _flat(artifacts_matrix),
            "rating_histogram": [sum(r[v] for r, _ in shares) for v in range(10)],
            "artifacts_histogram": [sum(a[v] for _, a in shares) for v in range(6)],
            "ratings_per_image": [per_image.get(m, 0) for m in range(1, max(per_image) + 1)],
        }
    return figures


def stored() -> dict[int, dict]:
    figures = {}
    for row in DatasetAgreement.objects.all():
        if not any(row.rating_histogram):
            continue  # a dataset whose counted ratings all went
        figures[row.dataset_id] = {
            "rating_alpha": row.rating_alpha,
            "artifacts_alpha": row.artifacts_alpha,
            "rating_coincidences": _flat(row.rating_coincidences),
            "artifacts_coincidences": _flat(row.artifacts_coincidences),
            "rating_histogram": row.rating_histogram,
            "artifacts_histogram": row.artifacts_histogram,
            "ratings_per_image": row.ratings_per_image,
        }
    return figures


def assert_same(found: dict, expected: dict) -> None:
    assert found.keys() == expected.keys()
    for dataset_id, figures in expected.items():
        for name, value in figures.items():
            if value is None:
                assert found[dataset_id][name] is None, (dataset_id, name)
            else:
                assert found[dataset_id][name] == pytest.approx(value), (dataset_id, name)


def days() -> dict:
    """DailyRatings as kept: {(day, dataset id): ratings}."""
    return {(row.day, row.dataset_id): row.ratings for row in DailyRatings.objects.all()}


def direct_days() -> dict:
    """The counted ratings that exist now, by their UTC day and their image's dataset: what DailyRatings means."""
    return dict(
        Counter(
            (created_at.astimezone(UTC).date(), dataset_id)
            for created_at, dataset_id in Rating.objects.filter(counts=True).values_list(
                "created_at", "image__dataset_id"
            )
        )
    )


def kept_equals_rebuilt_equals_direct() -> None:
    """An incremental run leaves the figures and the ratings per day that a direct computation gives, with no mark
    left; a rebuild from scratch (`full=True`) leaves the same."""
    refresh_agreement(now=later())
    kept = stored()
    assert_same(kept, direct())
    assert days() == direct_days()
    assert not StaleUnit.objects.exists()
    refresh_agreement(full=True, now=later())
    assert_same(stored(), kept)
    assert days() == direct_days()
