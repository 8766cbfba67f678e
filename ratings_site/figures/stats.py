"""What the stats page (/stats/) shows, read so that the page costs the same at a thousand ratings or millions.

Each figure comes from stored counters or from one bounded query, never from counting the ratings table:
- the datasets, with their agreement row (`reliability.DatasetAgreement`: the alphas, the rating and artifacts
  histograms, how many images have 1, 2, ... counted ratings): one query, a row per public dataset;
- ratings per day (`reliability.DailyRatings`): one query, at most DAYS_SHOWN rows per dataset;
- the top raters (`reliability.RaterWeight.ratings_count`, the `weight_by_ratings` index, raters who opted out
  left out): one query, TOP_RATERS_SHOWN rows;
- the weight distribution: one aggregate over `RaterWeight` (a row per rater with counted ratings), bucketed in SQL;
- the suspect raters, for moderators only: the lowest weights (the `weight_lowest_first` index) among raters with
  at least SUSPECT_MIN_RATINGS counted ratings: one query, SUSPECTS_SHOWN rows;
- predicted against human scores: the current predictor (one query) and the images of the latest
  SCATTER_RATINGS_READ ratings with their score (one query that reads at most that many ratings);
- when the figures were computed (`reliability.AgreementProgress`): one query, and a refresh is asked for when
  they are older than `reliability.tasks.REFRESH_MAX_AGE`.

The reliability tables are written by the reliability app's jobs (agreement, weights) from counted ratings only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Floor, Greatest, Least

from ratings_site.datasets.models import Dataset, Image
from ratings_site.moderation.admin_raters import rater_page_url
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.models import ANONYMOUS_HORDE_ID
from ratings_site.ratings.models import Rating
from ratings_site.ratings.scales import ARTIFACTS_MAX, ARTIFACTS_MIN, RATING_MAX, RATING_MIN
from ratings_site.reliability.agreement import PROGRESS_ROW
from ratings_site.reliability.models import AgreementProgress, DailyRatings, DatasetAgreement, RaterWeight
from ratings_site.reliability.tasks import REFRESH_MAX_AGE, request_refresh

DAYS_SHOWN = 90
TOP_RATERS_SHOWN = 10
SUSPECTS_SHOWN = 10
SUSPECT_MIN_RATINGS = 20  # fewer ratings say too little: the weight stays near the population's
WEIGHT_BUCKETS = 10  # 0–0.1, ..., 0.9–1 (a weight of 1 or more falls in the last)
SCATTER_POINTS = 2000
SCATTER_RATINGS_READ = 4 * SCATTER_POINTS  # the latest ratings whose images the scatter may plot
RATING_VALUES = list(range(RATING_MIN, RATING_MAX + 1))
ARTIFACTS_VALUES = list(range(ARTIFACTS_MIN, ARTIFACTS_MAX + 1))


@dataclass(frozen=True)
class DatasetFigures:
    pk: int
    name: str
    slug: str
    image_count: int
    rating_alpha: float | None
    artifacts_alpha: float | None
    rating_histogram: list[int]  # counted ratings of 1..10
    artifacts_histogram: list[int]  # counted artifacts of 0..5
    images_by_ratings: list[int]  # [k]: its shown images with k counted ratings, k = 0..N (the last: N or more)

    @property
    def ratings(self) -> int:
        return sum(self.rating_histogram)


@dataclass(frozen=True)
class Suspect:
    username: str
    weight: float
    ratings_count: int
    ratings_compared: int
    mean_squared_difference: float | None
    checks_passed: int
    checks_answered: int
    url: str  # the moderators' rater page


@dataclass(frozen=True)
class Scatter:
    version: str | None  # the current predictor's name; None when no predictor has scored images
    points: list[tuple[float, float]]  # (human mean, predicted)
    pearson: float | None

    @property
    def capped(self) -> bool:
        return len(self.points) >= SCATTER_POINTS


@dataclass(frozen=True)
class Freshness:
    computed_at: datetime | None  # agreement, histograms and ratings per day
    weights_computed_at: datetime | None
    stale: bool  # older than REFRESH_MAX_AGE (or never computed): a refresh is asked for


def dataset_figures() -> list[DatasetFigures]:
    """The public datasets with their stored agreement figures (one query)."""
    per_image_wanted = settings.RATINGS_PER_IMAGE
    figures = []
    for dataset in Dataset.objects.filter(public=True).select_related("agreement").order_by("name", "pk"):
        try:
            agreement: DatasetAgreement | None = dataset.agreement
        except DatasetAgreement.DoesNotExist:
            agreement = None
        per_image = list(agreement.ratings_per_image) if agreement else []
        images = [0] * (per_image_wanted + 1)
        for k, count in enumerate(per_image, start=1):
            images[min(k, per_image_wanted)] += int(count)
        images[0] = max(dataset.image_count - sum(images), 0)
        figures.append(
            DatasetFigures(
                pk=dataset.pk,
                name=dataset.name,
                slug=dataset.slug,
                image_count=dataset.image_count,
                rating_alpha=agreement.rating_alpha if agreement else None,
                artifacts_alpha=agreement.artifacts_alpha if agreement else None,
                rating_histogram=_fit(agreement.rating_histogram if agreement else [], len(RATING_VALUES)),
                artifacts_histogram=_fit(agreement.artifacts_histogram if agreement else [], len(ARTIFACTS_VALUES)),
                images_by_ratings=images,
            )
        )
    return figures


def ratings_per_day(dataset_ids: list[int], today: date) -> tuple[list[date], dict[int, list[int]]]:
    """The last DAYS_SHOWN days (UTC, ending today) and each dataset's counted ratings on them (one query)."""
    days = [today - timedelta(days=n) for n in range(DAYS_SHOWN - 1, -1, -1)]
    index = {day: n for n, day in enumerate(days)}
    counts = {pk: [0] * DAYS_SHOWN for pk in dataset_ids}
    rows = DailyRatings.objects.filter(day__gte=days[0], day__lte=today, dataset_id__in=dataset_ids)
    for day, dataset_id, ratings in rows.values_list("day", "dataset_id", "ratings"):
        counts[dataset_id][index[day]] += ratings
    return days, counts


def top_raters() -> list[tuple[str, int]]:
    """The raters with the most counted ratings (username, count), leaving out those who opted out and the
    anonymous accounts (one query down the `weight_by_ratings` index)."""
    rows = (
        RaterWeight.objects.filter(ratings_count__gt=0, rater__in_top_raters=True)
        .exclude(rater__horde_id=ANONYMOUS_HORDE_ID)
        .order_by("-ratings_count")  # the index's order alone, so that the database walks it and stops at 10
        .values_list("rater__username", "ratings_count")[:TOP_RATERS_SHOWN]
    )
    return list(rows)


def weight_histogram() -> list[int]:
    """How many raters have a weight in each of WEIGHT_BUCKETS equal buckets of 0..1 (one aggregate query)."""
    bucket = Least(Greatest(Cast(Floor(F("weight") * WEIGHT_BUCKETS), IntegerField()), 0), WEIGHT_BUCKETS - 1)
    counts = [0] * WEIGHT_BUCKETS
    for row in RaterWeight.objects.annotate(bucket=bucket).values("bucket").annotate(raters=Count("pk")).order_by():
        counts[int(row["bucket"])] += row["raters"]
    return counts


def suspect_raters() -> list[Suspect]:
    """For moderators: the lowest weights among raters with enough counted ratings to judge (one query)."""
    rows = (
        RaterWeight.objects.filter(ratings_count__gte=SUSPECT_MIN_RATINGS)
        .select_related("rater")
        .order_by("weight")[:SUSPECTS_SHOWN]  # the `weight_lowest_first` index's order
    )
    return [
        Suspect(
            username=row.rater.username,
            weight=row.weight,
            ratings_count=row.ratings_count,
            ratings_compared=row.ratings_compared,
            mean_squared_difference=row.mean_squared_difference,
            checks_passed=row.checks_passed,
            checks_answered=row.checks_answered,
            url=rater_page_url(row.rater_id),
        )
        for row in rows
    ]


def predicted_vs_human(min_ratings: int = 1) -> Scatter:
    """The current predictor's score beside the human mean (counted ratings, from the image's counters) of the
    images of the latest SCATTER_RATINGS_READ ratings, at most SCATTER_POINTS of them: two queries, the second
    reading at most that many ratings down the primary key whatever the size of the tables."""
    version = PredictorVersion.current()
    if version is None:
        return Scatter(None, [], None)
    latest_rated = Rating.objects.order_by("-id").values("image_id")[:SCATTER_RATINGS_READ]
    predicted = AestheticScore.objects.filter(version=version, image=OuterRef("pk")).values("score")[:1]
    scored = (
        Image.objects.filter(
            pk__in=Subquery(latest_rated), ratings_count__gte=min_ratings, is_captcha=False, hidden=False
        )
        .annotate(
            human=Cast(F("rating_sum"), FloatField()) / F("ratings_count"),
            predicted=Subquery(predicted, output_field=FloatField()),
        )
        .values_list("human", "predicted")[:SCATTER_POINTS]
    )
    # The images without a score are left out here rather than in SQL, where the score would be looked up twice.
    rows = [(human, score) for human, score in scored if score is not None]
    pearson = None
    if len(rows) >= 3:
        data = np.asarray(rows, dtype=np.float64)
        if data[:, 0].std() > 0 and data[:, 1].std() > 0:
            pearson = float(np.corrcoef(data[:, 0], data[:, 1])[0, 1])
    return Scatter(version.name, [(float(h), float(p)) for h, p in rows], pearson)


def freshness(now: datetime) -> Freshness:
    """When the reliability jobs last ran (one query). When that is longer ago than REFRESH_MAX_AGE, or never, and
    no page asked within that time, ask them to run again (`reliability.tasks.request_refresh`: a few more queries,
    at most once per REFRESH_MAX_AGE whatever process serves the page)."""
    progress = (
        AgreementProgress.objects.filter(pk=PROGRESS_ROW)
        .values("computed_at", "weights_computed_at", "refresh_requested_at")
        .first()
    ) or {}
    computed_at, weights_at = progress.get("computed_at"), progress.get("weights_computed_at")
    asked_at = progress.get("refresh_requested_at")
    oldest = min((t for t in (computed_at, weights_at) if t is not None), default=None)
    stale = computed_at is None or weights_at is None or oldest < now - REFRESH_MAX_AGE
    if stale and (asked_at is None or asked_at < now - REFRESH_MAX_AGE):
        request_refresh(now)
    return Freshness(computed_at, weights_at, stale)


def _fit(values: list, size: int) -> list[int]:
    return [int(v) for v in list(values)[:size]] + [0] * max(size - len(values), 0)
