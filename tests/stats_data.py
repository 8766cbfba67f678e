"""Rows of the reliability tables as the reliability jobs leave them, for the stats page's tests (the jobs themselves
are tested in their own files): a dataset's agreement row, a rater with a weight, the jobs' last run."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ratings_site.datasets.models import Dataset
from ratings_site.raters.models import Rater
from ratings_site.reliability.models import AgreementProgress, DatasetAgreement, RaterWeight


def dataset_with_agreement(
    slug: str,
    *,
    image_count: int = 20,
    rating_alpha: float | None = 0.5,
    artifacts_alpha: float | None = 0.4,
    rating_histogram: list[int] | None = None,
    artifacts_histogram: list[int] | None = None,
    ratings_per_image: list[int] | None = None,
) -> Dataset:
    dataset = Dataset.objects.create(slug=slug, name=slug.replace("-", " ").title(), image_count=image_count)
    DatasetAgreement.objects.create(
        dataset=dataset,
        rating_alpha=rating_alpha,
        artifacts_alpha=artifacts_alpha,
        rating_histogram=rating_histogram if rating_histogram is not None else [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        artifacts_histogram=artifacts_histogram if artifacts_histogram is not None else [6, 5, 4, 3, 2, 1],
        ratings_per_image=ratings_per_image if ratings_per_image is not None else [4, 3, 2, 1, 5],
        computed_at=timezone.now(),
    )
    return dataset


def weighted_rater(username: str, *, weight: float, ratings_count: int, horde_id: int, **fields) -> Rater:
    rater = Rater.objects.create_user(username, horde_id=horde_id, **fields)
    RaterWeight.objects.create(
        rater=rater,
        weight=weight,
        ratings_count=ratings_count,
        ratings_compared=ratings_count // 2,
        mean_squared_difference=4.0 * (1 - weight),
        checks_passed=3,
        checks_answered=4,
        computed_at=timezone.now(),
    )
    return rater


def jobs_ran_at(when: datetime | None = None) -> None:
    when = when or timezone.now()
    AgreementProgress.objects.update_or_create(pk=1, defaults={"computed_at": when, "weights_computed_at": when})
